package prunekit.core.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;

/**
 * The one place that starts DJL's PyTorch engine: offline (the native library comes from the
 * bundled pytorch-native-cpu jar, nothing is downloaded) and on the CPU. Intra-op threads follow
 * PyTorch's default (the cores) unless {@code -Dai.djl.pytorch.num_threads=N} is given.
 */
public final class Engines {
    private Engines() {
    }

    private static volatile Engine engine;

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
            engine = Engine.getEngine("PyTorch");
        }
        return engine;
    }

    public static NDManager newManager() {
        return pytorch().newBaseManager(Device.cpu());
    }
}
