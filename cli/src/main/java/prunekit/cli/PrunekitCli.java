package prunekit.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import prunekit.core.io.NonFinite;
import prunekit.pipeline.RunDirectory;

/**
 * The {@code prunekit} command: one thin class per subcommand. Errors below the CLI are exceptions;
 * here {@link ErrorReport} makes them one line on stderr and an exit code (2: bad input, 1: a bug).
 */
@Command(name = "prunekit", mixinStandardHelpOptions = true, versionProvider = PrunekitCli.Version.class,
        description = "Structured pruning for LLaMA-family models: load, calibrate, score, prune, recover, export.",
        subcommands = {
            DemoCommand.class,
            RunCommand.class,
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
        cl.setExecutionStrategy(PrunekitCli::executeReportingErrors);
        EnumConverters.register(cl);
        return cl;
    }

    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        return ErrorReport.print(e, cl.getCommandName(), cl.getErr());
    }

    /**
     * Runs the parsed command with its --threads applied; an Error (out of memory, stack overflow) gets
     * the same one-line report.
     */
    private static int executeReportingErrors(CommandLine.ParseResult parsed) {
        try {
            return ThreadsOption.applyThenRun(parsed);
        } catch (VirtualMachineError e) {
            CommandLine last = parsed.asCommandLineList().get(parsed.asCommandLineList().size() - 1);
            return ErrorReport.print(e, last.getCommandName(), last.getErr());
        } finally {
            NonFinite.allow(false); // --allow-non-finite holds for one command
        }
    }

    /** Version from the jar manifest, or "dev". */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {RunDirectory.version()};
        }
    }
}
