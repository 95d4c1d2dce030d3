package prunekit.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonTest {
    private static JsonObject sample() {
        JsonObject o = new JsonObject();
        o.addProperty("name", "<s> & \"ü\"");
        o.addProperty("ratio", 0.1 + 0.2);
        o.addProperty("count", 12345678901L);
        o.add("rope_scaling", JsonNull.INSTANCE);
        o.add("ids", Json.ints(new int[] {3, 1, 2}));
        o.add("empty", new JsonArray());
        o.add("nested", new JsonObject());
        JsonArray rows = new JsonArray();
        rows.add(Json.doubles(new double[] {1.5, -2}));
        o.add("rows", rows);
        return o;
    }

    @Test
    void expandedIsWhatGsonPrettyPrintsWithNullsAndNoHtmlEscaping() {
        String gson = new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create()
                .toJson(sample()) + "\n";
        assertEquals(gson, Json.format(sample(), Json.Layout.EXPANDED));
    }

    @Test
    void flatArraysPutNumbersOnOneLine() {
        String text = Json.format(sample());
        assertEquals(true, text.contains("\"ids\": [3,1,2],\n"), text);
        assertEquals(true, text.contains("\"rows\": [\n    [1.5,-2.0]\n  ]\n"), text);
        assertEquals(true, text.contains("\"rope_scaling\": null,\n"), text);
    }

    record Speed(int tokens, double p50, String dtype) {
    }

    @Test
    void recordsKeepTheirComponentOrder() {
        assertEquals("{\n  \"tokens\": 7,\n  \"p50\": 1.5,\n  \"dtype\": \"F32\"\n}\n",
                Json.format(Json.tree(new Speed(7, 1.5, "F32")), Json.Layout.EXPANDED));
        assertEquals("[\n  \"a\"\n]\n", Json.format(Json.tree(List.of("a")), Json.Layout.EXPANDED));
    }
}
