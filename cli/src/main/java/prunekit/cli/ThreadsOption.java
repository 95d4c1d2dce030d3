package prunekit.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import prunekit.core.engine.Engines;

/**
 * The shared {@code --threads} option of every command that computes: intra-op threads for PyTorch and
 * ONNX Runtime. The default is the cores this process may use ({@link Engines#defaultThreads}), so a job
 * confined to fewer cores (taskset, a container's CPU quota) does not start more threads than it can run.
 * {@link #applyThenRun} sets the count before the command runs; {@code --json} results report it.
 */
public final class ThreadsOption {
    private static volatile Integer current;

    @Option(names = "--threads", paramLabel = "N",
            description = "intra-op threads for PyTorch and ONNX Runtime (default: the cores available to this"
                    + " process, or $OMP_NUM_THREADS)")
    Integer threads;

    /** The threads this command uses. */
    public int count() {
        return threads != null ? threads : Engines.defaultThreads();
    }

    /** The thread count of the command running now, or null when it takes no --threads. */
    static Integer current() {
        return current;
    }

    /** picocli's execution strategy: the chosen command's threads applied, then the command run. */
    static int applyThenRun(ParseResult parsed) {
        ParseResult leaf = parsed;
        while (leaf.hasSubcommand()) {
            leaf = leaf.subcommand();
        }
        current = null;
        CommandSpec spec = leaf.commandSpec();
        for (CommandSpec mixin : spec.mixins().values()) {
            if (mixin.userObject() instanceof ThreadsOption t) {
                int n = t.count();
                if (n < 1) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "--threads must be at least 1, got " + n);
                }
                Engines.useThreads(n);
                current = n;
            }
        }
        return new CommandLine.RunLast().execute(parsed);
    }
}
