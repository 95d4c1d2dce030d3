package prunekit.cli;

import com.google.gson.Gson;
import java.io.PrintWriter;
import java.util.function.Supplier;
import picocli.CommandLine.Option;
import prunekit.pipeline.Json;

/** The shared {@code --json} flag: machine-readable output on stdout instead of text. */
public final class JsonOutput {
    static final Gson GSON = Json.GSON;

    @Option(names = "--json", description = "print the result as JSON")
    boolean json;

    public boolean enabled() {
        return json;
    }

    /** Prints {@code value} as JSON with --json, else the human text. */
    public void print(PrintWriter out, Object value, Supplier<String> human) {
        out.println(json ? GSON.toJson(value) : human.get());
        out.flush();
    }
}
