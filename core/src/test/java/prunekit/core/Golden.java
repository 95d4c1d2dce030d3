package prunekit.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the golden files bundled under src/test/resources/golden (copied from ../shared/golden). */
public final class Golden {
    private Golden() {
    }

    public static String text(String name) {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/" + name)) {
            if (in == null) {
                throw new IllegalStateException("golden file missing from test resources: " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A greedy file as prompt → expected text ('>>> PROMPT' lines; trailing newlines dropped). */
    public static Map<String, String> greedy(String name) {
        Map<String, String> m = new LinkedHashMap<>();
        String prompt = null;
        StringBuilder body = new StringBuilder();
        for (String line : text(name).split("\n", -1)) {
            if (line.startsWith(">>> ")) {
                if (prompt != null) {
                    m.put(prompt, body.toString().stripTrailing());
                }
                prompt = line.substring(4);
                body.setLength(0);
            } else if (prompt != null) {
                body.append(line).append('\n');
            }
        }
        if (prompt != null) {
            m.put(prompt, body.toString().stripTrailing());
        }
        return m;
    }
}
