package prunekit.cli;

import java.io.UncheckedIOException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import prunekit.core.io.FormatException;
import prunekit.pipeline.RunDirectory;

/**
 * The {@code prunekit} command: one thin class per subcommand. Errors below the CLI are exceptions;
 * here they become one line on stderr and an exit code (2: bad input, 1: anything else).
 */
@Command(name = "prunekit", mixinStandardHelpOptions = true, versionProvider = PrunekitCli.Version.class,
        description = "Structured pruning for LLaMA-family models: load, calibrate, score, prune, recover, export.",
        subcommands = {
            DemoCommand.class,
            InspectCommand.class,
            TokenizeCommand.class,
            GenerateCommand.class,
            EvalCommand.class,
            ConvertCommand.class,
            SynthCommand.class,
            ScoreCommand.class,
            PruneCommand.class,
            PlotCommand.class,
            TrainCommand.class,
            RecoverCommand.class,
            RecoverChartCommand.class,
            ExportCommand.class,
            BenchCommand.class,
            BenchForwardCommand.class,
            PruneTableCommand.class,
            CommandLine.HelpCommand.class
        })
public final class PrunekitCli implements Runnable {
    public static final int EXIT_BAD_INPUT = 2;
    public static final int EXIT_FAILURE = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (used by tests). */
    public static int execute(String... args) {
        CommandLine cl = commandLine();
        return cl.execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new PrunekitCli());
        cl.setExecutionExceptionHandler(PrunekitCli::handle);
        cl.setExecutionStrategy(ThreadsOption::applyThenRun);
        EnumConverters.register(cl);
        return cl;
    }

    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        if (e instanceof FormatException || e instanceof IllegalArgumentException
                || e instanceof UncheckedIOException || e instanceof java.io.IOException) {
            err.println("prunekit " + cl.getCommandName() + ": error: " + oneLine(e.getMessage()));
            err.flush();
            return EXIT_BAD_INPUT;
        }
        err.println("prunekit " + cl.getCommandName() + ": failed: " + e.getClass().getSimpleName() + ": "
                + oneLine(e.getMessage()));
        if (System.getenv("PRUNEKIT_DEBUG") != null) {
            e.printStackTrace(err);
        } else {
            err.println("(set PRUNEKIT_DEBUG=1 for the stack trace)");
        }
        err.flush();
        return EXIT_FAILURE;
    }

    static String oneLine(String s) {
        return s == null ? "(no message)" : s.replaceAll("\\s*\\R\\s*", " ").trim();
    }

    /** Version from the jar manifest, or "dev". */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {RunDirectory.version()};
        }
    }
}
