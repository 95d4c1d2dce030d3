package prunekit.recover;

import java.util.Locale;

/**
 * Where a training step runs: {@code cpu} (our DJL engine, the default), {@code cpu-native} (the C
 * reference backend of cuda-kernels/ through JNI: the GPU path's code on the CPU, so CI exercises
 * it) or {@code cuda} (the CUDA backend; needs an NVIDIA GPU).
 */
public enum Device {
    CPU, CPU_NATIVE, CUDA;

    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The native backend of this device, or null for the DJL engine. */
    NativeModel.Backend backend() {
        return switch (this) {
            case CPU -> null;
            case CPU_NATIVE -> NativeModel.Backend.CPU_REFERENCE;
            case CUDA -> NativeModel.Backend.CUDA;
        };
    }

    public static Device parse(String s) {
        for (Device d : values()) {
            if (d.id().equals(s.trim().toLowerCase(Locale.ROOT))) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown device '" + s + "'; use cpu, cpu-native or cuda");
    }
}
