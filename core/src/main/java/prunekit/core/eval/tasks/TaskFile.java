package prunekit.core.eval.tasks;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A multiple-choice task read from JSONL: one object per line,
 * {@code {"context": "...", "choices": ["...", ...], "gold": 0}}; blank lines are skipped. A bad
 * line fails with {@code FILE:LINE} and what is wrong. The task's name is the file name without
 * {@code .jsonl}.
 */
public record TaskFile(String name, Path path, List<TaskItem> items) {
    private static final Set<String> KEYS = Set.of("context", "choices", "gold");
    private static final String FORMAT = "each line must be {\"context\": STRING, \"choices\": [STRING, ...], \"gold\": INDEX}";

    public TaskFile {
        if (items == null || items.isEmpty()) {
            throw new IllegalArgumentException(path + ": no items; " + FORMAT);
        }
        items = List.copyOf(items);
    }

    public static TaskFile read(Path file) {
        List<TaskItem> items = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int lineNo = 0;
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                lineNo++;
                if (!line.isBlank()) {
                    try {
                        items.add(parse(line));
                    } catch (IllegalArgumentException | JsonParseException e) {
                        throw new IllegalArgumentException(file + ":" + lineNo + ": " + e.getMessage(), e);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read task file " + file + " (" + e.getMessage() + ")", e);
        }
        String n = file.getFileName().toString();
        return new TaskFile(n.endsWith(".jsonl") ? n.substring(0, n.length() - 6) : n, file, items);
    }

    /** One line; throws with what is wrong (the caller adds file and line). */
    static TaskItem parse(String line) {
        JsonElement e;
        try {
            e = JsonParser.parseString(line);
        } catch (JsonParseException x) {
            throw new IllegalArgumentException("not valid JSON (" + rootMessage(x) + "); " + FORMAT);
        }
        if (!e.isJsonObject()) {
            throw new IllegalArgumentException("not a JSON object; " + FORMAT);
        }
        JsonObject o = e.getAsJsonObject();
        for (String k : o.keySet()) {
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException("unknown key \"" + k + "\"; " + FORMAT);
            }
        }
        String context = string(o.get("context"), "\"context\"");
        JsonElement c = o.get("choices");
        if (c == null || !c.isJsonArray()) {
            throw new IllegalArgumentException("\"choices\" must be an array of strings; " + FORMAT);
        }
        JsonArray a = c.getAsJsonArray();
        List<String> choices = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            choices.add(string(a.get(i), "choice " + i));
        }
        JsonElement g = o.get("gold");
        if (g == null || !g.isJsonPrimitive() || !g.getAsJsonPrimitive().isNumber()
                || g.getAsDouble() != Math.rint(g.getAsDouble())) {
            throw new IllegalArgumentException("\"gold\" must be an integer index into \"choices\"; " + FORMAT);
        }
        return new TaskItem(context, choices, g.getAsInt());
    }

    private static String string(JsonElement e, String what) {
        if (e == null || !e.isJsonPrimitive() || !((JsonPrimitive) e).isString()) {
            throw new IllegalArgumentException(what + " must be a string; " + FORMAT);
        }
        return e.getAsString();
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
