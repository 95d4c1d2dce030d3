package prunekit.pipeline;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

/** The one Gson of the pipeline and the CLI: pretty, special floats allowed, no HTML escaping. */
public final class Json {
    public static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .disableHtmlEscaping().create();

    private Json() {
    }
}
