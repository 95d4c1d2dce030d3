package prunekit.core.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The one place that starts DJL's PyTorch engine: offline (the native library comes from the
 * bundled pytorch-native-cpu jar, nothing is downloaded) and on the CPU, with the intra-op thread count
 * that {@link #intraOpThreads} chooses. The native jar's OpenMP is GNU libgomp, whose idle workers spin
 * unless {@code OMP_WAIT_POLICY=PASSIVE} is in the environment when the process starts (bin/prunekit sets it).
 */
public final class Engines {
    private Engines() {
    }

    private static volatile Engine engine;
    private static volatile Integer threads;
    /** {@code -Dai.djl.pytorch.num_threads} as given to the JVM (read before {@link #pytorch} sets it). */
    private static final Integer PROPERTY_THREADS = Integer.getInteger("ai.djl.pytorch.num_threads");

    /**
     * The intra-op threads when none are chosen: {@code -Dai.djl.pytorch.num_threads}, else {@code $OMP_NUM_THREADS},
     * else the cores this process may run on (Java 17's availableProcessors counts the CPU affinity mask and
     * the cgroup CPU quota, so a process limited to 2 of 64 cores gets 2 threads, not 64 that compete).
     */
    public static int defaultThreads() {
        if (PROPERTY_THREADS != null && PROPERTY_THREADS > 0) {
            return PROPERTY_THREADS;
        }
        String omp = System.getenv("OMP_NUM_THREADS");
        if (omp != null && omp.trim().matches("[1-9][0-9]{0,3}")) {
            return Integer.parseInt(omp.trim());
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /** The intra-op threads PyTorch uses: the last {@link #useThreads} count, else {@link #defaultThreads}. */
    public static int intraOpThreads() {
        Integer t = threads;
        return t != null ? t : defaultThreads();
    }

    /** Sets PyTorch's intra-op threads; applied at once when the engine runs already, else when it starts. */
    public static synchronized void useThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("intra-op threads must be at least 1, got " + n);
        }
        threads = n;
        if (engine != null) {
            JniUtils.setNumThreads(n);
        }
    }

    public static synchronized Engine pytorch() {
        if (engine == null) {
            if (System.getProperty("ai.djl.offline") == null) {
                System.setProperty("ai.djl.offline", "true");
            }
            // One op at a time, each using every core: our forward is a chain of dependent ops, so
            // inter-op threads only add threads that compete with the intra-op pool on small machines.
            if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
                System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
            }
            // DJL calls at::set_num_threads with this when the engine starts.
            System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(intraOpThreads()));
            engine = Engine.getEngine("PyTorch");
        }
        return engine;
    }

    /**
     * Runs {@code body} with PyTorch's autograd recording off on this thread, then restores the mode: for
     * in-place updates of weights that require gradients (the optimizer step). Autograd's mode is
     * per thread; DJL switches it off only on the thread that starts the engine, and every other thread
     * starts with it on, where an in-place update of such a weight fails ("a leaf Variable that requires
     * grad is being used in an in-place operation").
     */
    public static void withoutGrad(Runnable body) {
        pytorch();
        boolean was = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            body.run();
        } finally {
            JniUtils.setGradMode(was);
        }
    }

    public static NDManager newManager() {
        return pytorch().newBaseManager(Device.cpu());
    }
}
