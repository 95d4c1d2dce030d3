package prunekit.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.PrintWriter;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/** The shared {@code --json} flag: machine-readable output on stdout instead of text. */
public final class JsonOutput {
    static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .disableHtmlEscaping().create();

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
