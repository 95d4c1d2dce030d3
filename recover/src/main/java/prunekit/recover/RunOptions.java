package prunekit.recover;

import java.nio.file.Path;
import prunekit.core.model.DType;

/**
 * How a run meets the file system, beside its arithmetic: where the teacher's top-k cache lives
 * (null: none; required when the recipe's top-k is set) and the dtype the recovered checkpoint is
 * written in (null: the starting model's stored dtype).
 */
public record RunOptions(Path teacherCache, DType outputDtype) {
    public static RunOptions defaults() {
        return new RunOptions(null, null);
    }
}
