package prunekit.export;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory of this process from Linux's /proc/self/status: VmRSS (now) and VmHWM (peak).
 * The peak can be reset (writing 5 to /proc/self/clear_refs, Linux 4.0+) so that a benchmark
 * can give each model its own peak; where that is refused the peak is the process's since start.
 * Values are -1 where /proc is absent (not Linux).
 */
final class MemoryProbe {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private MemoryProbe() {
    }

    /** Current resident set size in bytes, or -1. */
    static long rssBytes() {
        return field("VmRSS:");
    }

    /** Peak resident set size in bytes since start or the last {@link #resetPeak}, or -1. */
    static long peakRssBytes() {
        return field("VmHWM:");
    }

    /** Resets the peak to the current RSS; false where the kernel does not allow it. */
    static boolean resetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(STATUS, StandardCharsets.UTF_8)) {
                if (line.startsWith(name)) {
                    String[] parts = line.substring(name.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024; // kB
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
