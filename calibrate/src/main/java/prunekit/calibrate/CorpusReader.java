package prunekit.calibrate;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import prunekit.core.eval.Prompts;
import prunekit.core.eval.TokenStream;
import prunekit.core.io.FormatException;
import prunekit.core.io.IoErrors;
import prunekit.core.tokenize.Tokenizer;

/**
 * Calibration text as one token stream. Plain text files follow the perplexity protocol (blocks at
 * blank lines, BOS before each block, see {@link TokenStream}); a {@code .jsonl} file gives one
 * block per line, from {@code {"text": ...}} or {@code {"prompt": ..., "response": ...}} (joined
 * by a newline). Files are concatenated in the order given.
 */
public final class CorpusReader {
    private CorpusReader() {
    }

    public static TokenStream read(List<Path> files, Tokenizer tokenizer) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no calibration files given; pass --calib FILE (text or .jsonl)");
        }
        List<TokenStream> parts = new ArrayList<>();
        for (Path f : files) {
            parts.add(isJsonl(f) ? readJsonl(f, tokenizer) : TokenStream.of(List.of(f), tokenizer));
        }
        return concat(parts);
    }

    static boolean isJsonl(Path f) {
        return f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jsonl");
    }

    /** One block per non-blank line of a JSONL file. */
    static TokenStream readJsonl(Path f, Tokenizer tokenizer) {
        List<String> lines;
        try {
            lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        } catch (MalformedInputException e) {
            throw new FormatException(f, "not valid UTF-8 text; convert it to UTF-8 first", e);
        } catch (IOException e) {
            throw IoErrors.cannotRead(f, e);
        }
        List<TokenStream> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String text = blockText(f, i + 1, lines.get(i));
            if (text.isEmpty()) {
                continue;
            }
            blocks.add(new TokenStream(Prompts.withBos(tokenizer, text), text.getBytes(StandardCharsets.UTF_8).length, 1));
        }
        return concat(blocks);
    }

    private static String blockText(Path f, int lineNo, String line) {
        JsonObject o;
        try {
            JsonElement e = JsonParser.parseString(line);
            if (!e.isJsonObject()) {
                throw new FormatException(f, "line " + lineNo + " is not a JSON object; expected {\"text\": ...}"
                        + " or {\"prompt\": ..., \"response\": ...}");
            }
            o = e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new FormatException(f, "line " + lineNo + " is not valid JSON (" + e.getMessage() + ")", e);
        }
        if (o.has("text") && o.get("text").isJsonPrimitive()) {
            return TokenStream.normalizeNewlines(o.get("text").getAsString());
        }
        if (o.has("prompt") && o.has("response")) {
            return TokenStream.normalizeNewlines(o.get("prompt").getAsString() + "\n" + o.get("response").getAsString());
        }
        throw new FormatException(f, "line " + lineNo + " has neither \"text\" nor \"prompt\"+\"response\"; keys: "
                + o.keySet());
    }

    static TokenStream concat(List<TokenStream> parts) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        int n = parts.stream().mapToInt(p -> p.ids().length).sum();
        int[] ids = new int[n];
        int at = 0;
        long bytes = 0;
        int blocks = 0;
        for (TokenStream p : parts) {
            System.arraycopy(p.ids(), 0, ids, at, p.ids().length);
            at += p.ids().length;
            bytes += p.utf8Bytes();
            blocks += p.blocks();
        }
        return new TokenStream(ids, bytes, blocks);
    }
}
