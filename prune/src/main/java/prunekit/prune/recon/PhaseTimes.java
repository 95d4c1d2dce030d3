package prunekit.prune.recon;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.TreeMap;

/**
 * Wall and process-CPU seconds spent in named phases of the wide-matrix path ({@link BlockObs}, {@link NativeNormalEquations}),
 * summed over the run: what bench/recon reports per phase. Process CPU counts PyTorch's threads too.
 */
final class PhaseTimes {
    private static final Map<String, double[]> TOTALS = new TreeMap<>();

    private PhaseTimes() {
    }

    /** Wall and CPU nanoseconds now: the start of a phase. */
    static long[] start() {
        return new long[] {System.nanoTime(), cpuNanos()};
    }

    /** Adds the time since {@code start} to {@code phase}. */
    static synchronized void stop(String phase, long[] start) {
        double[] t = TOTALS.computeIfAbsent(phase, k -> new double[2]);
        t[0] += (System.nanoTime() - start[0]) / 1e9;
        t[1] += (cpuNanos() - start[1]) / 1e9;
    }

    /** Phase → {wall s, CPU s} so far. */
    static synchronized Map<String, double[]> snapshot() {
        Map<String, double[]> copy = new TreeMap<>();
        TOTALS.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    static long cpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean s ? s.getProcessCpuTime() : 0;
    }
}
