package prunekit.cli;

import com.google.gson.JsonElement;
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

    /**
     * Prints {@code value} as JSON with --json, else the human text. A command with {@code --threads} adds
     * {@code "threads"}: the intra-op thread count it ran with.
     */
    public void print(PrintWriter out, Object value, Supplier<String> human) {
        if (json) {
            JsonElement tree = Json.tree(value);
            Integer threads = ThreadsOption.current();
            if (threads != null && tree.isJsonObject() && !tree.getAsJsonObject().has("threads")) {
                tree.getAsJsonObject().addProperty("threads", threads);
            }
            out.print(Json.format(tree, Json.Layout.EXPANDED)); // format ends with a newline
        } else {
            out.println(human.get());
        }
        out.flush();
    }
}
