package prunekit.cli;

import picocli.CommandLine.Option;
import prunekit.core.io.NonFinite;

/**
 * {@code --allow-non-finite}, shared by the commands that load models: without it a model file holding
 * NaN or infinite weights is refused when the tensor is read, naming the tensor and the counts.
 * {@link PrunekitCli} clears the permission after each command.
 */
public final class AllowNonFinite {
    @Option(names = "--allow-non-finite",
            description = "load weights holding NaN or Inf (refused by default, naming the tensor and the counts)")
    void allow(boolean allow) {
        NonFinite.allow(allow);
    }
}
