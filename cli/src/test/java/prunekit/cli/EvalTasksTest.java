package prunekit.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.SharedFiles;
import prunekit.pipeline.tasks.ViTasksMain;

/** {@code prunekit eval --tasks}: the JSON it prints, its errors, and the shipped Vietnamese tasks. */
class EvalTasksTest {
    @TempDir
    Path dir;

    @Test
    void jsonHoldsEachTasksAccuraciesStandardErrorsSizeAndChance() throws IOException {
        Path t = dir.resolve("mini.jsonl");
        Files.writeString(t, String.join("\n",
                "{\"context\": \"Once upon a time, there was a little\", \"choices\": [\" girl\", \" the\"], \"gold\": 0}",
                "{\"context\": \"\", \"choices\": [\"Lily liked to play.\", \"Play liked Lily to.\"], \"gold\": 0}",
                "{\"context\": \"The sun was\", \"choices\": [\" big\", \" very\", \" of\"], \"gold\": 2}") + "\n",
                StandardCharsets.UTF_8);
        for (String stream : new String[] {"never", "always"}) {
            JsonObject o = CoreCommandsTest.json(Cli.run("eval", "--tasks", t.toString(), "--stream", stream, "--json"));
            JsonArray tasks = o.getAsJsonArray("tasks");
            assertEquals(1, tasks.size());
            JsonObject s = tasks.get(0).getAsJsonObject();
            assertEquals("mini", s.get("task").getAsString());
            assertEquals(3, s.get("n").getAsInt());
            assertEquals((0.5 + 0.5 + 1.0 / 3) / 3, s.get("chance").getAsDouble(), 1e-12);
            for (String k : new String[] {"acc", "acc_norm"}) {
                double acc = s.get(k).getAsDouble();
                assertTrue(acc == 0 || Math.abs(acc * 3 - Math.rint(acc * 3)) < 1e-12, k + " is a count of 3: " + acc);
                assertTrue(s.has(k + "_stderr"), k + "_stderr missing: " + s);
            }
            assertEquals(stream.equals("always"), o.get("tasks_streamed").getAsBoolean());
            assertTrue(!o.has("perplexity"), "no --text, no perplexity");
        }
    }

    @Test
    void aBadTaskLineIsOneErrorNamingFileAndLine() throws IOException {
        Path t = dir.resolve("bad.jsonl");
        Files.writeString(t, "{\"context\": \"a\", \"choices\": [\"b\", \"c\"], \"gold\": 0}\n{\"context\": \"a\"}\n");
        Cli r = Cli.run("eval", "--tasks", t.toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains(t + ":2: \"choices\" must be an array of strings"), r.err());
        Cli none = Cli.run("eval");
        assertEquals(2, none.exit(), none.err());
        assertTrue(none.err().contains("--text FILE... and/or --tasks FILE.jsonl..."), none.err());
    }

    /** Reads ../shared/data/vi/valid: skipped, saying so, without it. */
    @Test
    void shippedVietnameseTasksRegenerateByteForByteFromSharedHeldOutText() throws IOException {
        Path valid = SharedFiles.require("data/vi/valid/wiki.txt").getParent();
        Map<String, String> made = ViTasksMain.make(valid);
        assertEquals(2, made.size());
        for (Map.Entry<String, String> e : made.entrySet()) {
            byte[] shipped = Files.readAllBytes(SharedFiles.project("data/tasks/" + e.getKey()));
            assertArrayEquals(shipped, e.getValue().getBytes(StandardCharsets.UTF_8),
                    e.getKey() + " differs from ViTasksMain's output: regenerate with bench/tasks/make.sh");
        }
    }
}
