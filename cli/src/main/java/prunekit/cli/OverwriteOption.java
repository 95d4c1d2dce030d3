package prunekit.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Option;
import prunekit.core.io.OutputGuard;

/**
 * {@code --overwrite}, which every writing command offers, and the claim on its output taken at the
 * top of {@code call()} before any work ({@link OutputGuard}: not an input, writable, locked).
 */
public final class OverwriteOption {
    @Option(names = "--overwrite", description = "replace an existing output (the old one is kept until the new one is complete)")
    boolean overwrite;

    OutputGuard file(Path out, Path... inputs) {
        return OutputGuard.file(out, overwrite, inputs(inputs));
    }

    /** A directory written whole (an HF checkpoint, an ONNX folder). */
    OutputGuard whole(Path out, Path... inputs) {
        return OutputGuard.wholeDirectory(out, overwrite, inputs(inputs));
    }

    /** The entries this command writes in a run directory that other stages share. */
    OutputGuard entries(Path dir, List<String> entries, Path... inputs) {
        return OutputGuard.runEntries(dir, entries, overwrite, inputs(inputs));
    }

    /** A run that {@code --resume} continues (recover, train). */
    OutputGuard resumable(Path out, boolean resume, Path... inputs) {
        return OutputGuard.resumableDirectory(out, overwrite, resume, inputs(inputs));
    }

    /** The inputs, flattening lists given as arrays of paths; nulls (options not given) are skipped by the guard. */
    static Path[] all(List<?>... groups) {
        return Arrays.stream(groups).filter(g -> g != null).flatMap(List::stream).map(p -> (Path) p).toArray(Path[]::new);
    }

    private static List<Path> inputs(Path... inputs) {
        return Arrays.asList(inputs);
    }
}
