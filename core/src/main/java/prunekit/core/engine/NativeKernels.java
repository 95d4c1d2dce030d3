package prunekit.core.engine;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The project's one native library, {@code libprunekit_jni.so}, built from {@code cuda-kernels/} by
 * {@code bash cuda-kernels/ci.sh}: the training step of {@code prunekit.recover.NativeModel} and the bf16
 * products of {@link Bf16}. Found at {@code -Dprunekit.native=PATH}, else under the project root
 * ({@code -Dprunekit.root}, else {@code -Dprunekit.home} as bin/prunekit sets it, else the working directory).
 */
public final class NativeKernels {
    public static final String LIBRARY_PROPERTY = "prunekit.native";
    private static boolean loaded;

    private NativeKernels() {
    }

    /** Where the library is looked for. */
    public static Path path() {
        String p = System.getProperty(LIBRARY_PROPERTY);
        if (p != null) {
            return Path.of(p);
        }
        String root = System.getProperty("prunekit.root", System.getProperty("prunekit.home", "."));
        return Path.of(root).resolve("cuda-kernels/build/libprunekit_jni.so");
    }

    public static boolean present() {
        return Files.isRegularFile(path());
    }

    /** Loads the library once; a missing one is an IllegalArgumentException that says how to build it. */
    public static synchronized void load() {
        if (loaded) {
            return;
        }
        Path lib = path().toAbsolutePath();
        if (!Files.isRegularFile(lib)) {
            throw new IllegalArgumentException("the native kernels library " + lib + " does not exist: build it with "
                    + "`bash cuda-kernels/ci.sh` (cmake, gcc, a JDK) or pass -D" + LIBRARY_PROPERTY + "=PATH");
        }
        System.load(lib.toString());
        loaded = true;
    }
}
