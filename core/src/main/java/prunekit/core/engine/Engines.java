package prunekit.core.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;

/**
 * The one place that starts DJL's PyTorch engine: offline (the native library comes from the
 * bundled pytorch-native-cpu jar, nothing is downloaded) and on the CPU.
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
            engine = Engine.getEngine("PyTorch");
        }
        return engine;
    }

    public static NDManager newManager() {
        return pytorch().newBaseManager(Device.cpu());
    }
}
