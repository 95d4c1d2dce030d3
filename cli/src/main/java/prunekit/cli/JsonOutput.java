package prunekit.cli;

import java.io.PrintWriter;
import java.util.function.Supplier;
import picocli.CommandLine.Option;
import prunekit.core.io.Json;

/** The shared {@code --json} flag: machine-readable output on stdout instead of text. */
public final class JsonOutput {
    @Option(names = "--json", description = "print the result as JSON")
    boolean json;

    public boolean enabled() {
        return json;
    }

    /** Prints {@code value} as JSON with --json, else the human text. */
    public void print(PrintWriter out, Object value, Supplier<String> human) {
        if (json) {
            out.print(Json.format(Json.tree(value), Json.Layout.EXPANDED)); // format ends with a newline
        } else {
            out.println(human.get());
        }
        out.flush();
    }
}
