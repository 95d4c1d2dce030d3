package prunekit.recover;

import java.nio.file.Path;
import prunekit.core.model.DType;

/**
 * How a run meets the file system and the machine, beside its arithmetic: where the teacher's top-k
 * cache lives (null: none; required when the recipe's top-k is set), the dtype the recovered
 * checkpoint is written in (null: the starting model's stored dtype) and the {@link Device} the
 * steps run on.
 */
public record RunOptions(Path teacherCache, DType outputDtype, Device device) {
    public RunOptions {
        device = device == null ? Device.CPU : device;
    }

    public RunOptions(Path teacherCache, DType outputDtype) {
        this(teacherCache, outputDtype, Device.CPU);
    }

    public static RunOptions defaults() {
        return new RunOptions(null, null);
    }
}
