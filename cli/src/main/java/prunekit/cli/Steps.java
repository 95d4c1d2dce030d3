package prunekit.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import picocli.CommandLine;

/**
 * Runs prunekit subcommands in-process as steps of a larger job (the demo), each with --json, and
 * returns their parsed output. A failing step stops the job with that step's own error line.
 */
final class Steps {
    private final PrintWriter log;
    private final List<String> commands = new java.util.ArrayList<>();

    Steps(PrintWriter log) {
        this.log = log;
    }

    JsonElement run(String title, String... args) {
        log.println("== " + title);
        String line = "prunekit " + java.util.Arrays.stream(args).map(Steps::quote).collect(java.util.stream.Collectors.joining(" "));
        log.println("   $ " + line);
        commands.add(line);
        log.flush();
        long t0 = System.nanoTime();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = PrunekitCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        String[] withJson = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--json"))
                .toArray(String[]::new);
        int code = cl.execute(withJson);
        if (code != 0) {
            throw new IllegalStateException("step '" + title + "' failed: " + PrunekitCli.oneLine(err.toString()));
        }
        log.printf("   (%.1f s)%n", (System.nanoTime() - t0) / 1e9);
        log.flush();
        return JsonParser.parseString(out.toString());
    }

    /** {@code a} as a POSIX shell word. */
    static String quote(String a) {
        return a.matches("[A-Za-z0-9_./:=,+-]+") ? a : "'" + a.replace("'", "'\\''") + "'";
    }

    /** The command lines run so far, in order (the recipe of the job). */
    List<String> commands() {
        return List.copyOf(commands);
    }
}
