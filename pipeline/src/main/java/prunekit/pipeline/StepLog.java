package prunekit.pipeline;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The log of a job made of stages (the demo): each step prints its title, the equivalent
 * {@code prunekit ...} command line (so the job doubles as a recipe a user can copy) and its time.
 */
public final class StepLog {
    private final PrintWriter log;
    private final List<String> commands = new ArrayList<>();

    /** One step's work; it may throw. */
    @FunctionalInterface
    public interface Work<T> {
        T run() throws Exception;
    }

    public StepLog(PrintWriter log) {
        this.log = log;
    }

    /** Runs {@code work} as the step {@code title}, whose command line is {@code prunekit args...}. */
    public <T> T run(String title, List<String> args, Work<T> work) throws Exception {
        log.println("== " + title);
        String line = "prunekit " + args.stream().map(StepLog::quote).collect(Collectors.joining(" "));
        log.println("   $ " + line);
        commands.add(line);
        log.flush();
        long t0 = System.nanoTime();
        T result = work.run();
        log.printf("   (%.1f s)%n", (System.nanoTime() - t0) / 1e9);
        log.flush();
        return result;
    }

    public <T> T run(String title, Work<T> work, String... args) throws Exception {
        return run(title, Arrays.asList(args), work);
    }

    /** {@code a} as a POSIX shell word. */
    static String quote(String a) {
        return a.matches("[A-Za-z0-9_./:=,+-]+") ? a : "'" + a.replace("'", "'\\''") + "'";
    }

    /** The command lines run so far, in order (the recipe of the job). */
    public List<String> commands() {
        return List.copyOf(commands);
    }
}
