package prunekit.core.tokenize;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonSyntaxException;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import prunekit.core.io.FormatException;

/**
 * A Hugging Face {@code tokenizer.json} run by DJL's bindings to the Rust tokenizers library.
 * Special tokens are never added and truncation is off: callers add BOS themselves.
 */
public final class HfTokenizer implements Tokenizer {
    private final HuggingFaceTokenizer tokenizer;
    private final Path file;
    private final String json;
    private final int vocabSize;
    private final int bosId;
    private final int eosId;

    private HfTokenizer(HuggingFaceTokenizer tokenizer, Path file, String json, int vocabSize, int bosId, int eosId) {
        this.tokenizer = tokenizer;
        this.file = file;
        this.json = json;
        this.vocabSize = vocabSize;
        this.bosId = bosId;
        this.eosId = eosId;
    }

    /** Loads {@code tokenizer.json}; BOS/EOS ids default to the LLaMA convention (1, 2) when not found. */
    public static HfTokenizer load(Path file) {
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new FormatException(file, "cannot read tokenizer: " + e.getMessage(), e);
        }
        JsonObject root;
        try {
            root = strictJson(json).getAsJsonObject();
        } catch (IOException | RuntimeException e) {
            throw new FormatException(file, "not a JSON tokenizer file (" + e.getMessage() + ")", e);
        }
        int size = 0;
        int bos = 1;
        int eos = 2;
        JsonObject model = root.has("model") && root.get("model").isJsonObject() ? root.getAsJsonObject("model") : null;
        if (model == null || !model.has("vocab")) {
            throw new FormatException(file, "tokenizer.json has no model.vocab; expected a Hugging Face tokenizer file");
        }
        JsonElement vocab = model.get("vocab");
        if (vocab.isJsonObject()) {
            for (Map.Entry<String, JsonElement> e : vocab.getAsJsonObject().entrySet()) {
                int id = tokenId(file, "model.vocab[" + e.getKey() + "]", e.getValue());
                size = Math.max(size, id + 1);
                if (e.getKey().equals("<s>") || e.getKey().equals("<|begin_of_text|>")) {
                    bos = id;
                }
                if (e.getKey().equals("</s>") || e.getKey().equals("<|end_of_text|>")) {
                    eos = id;
                }
            }
        } else if (vocab.isJsonArray()) {
            size = vocab.getAsJsonArray().size();
        }
        if (root.has("added_tokens") && root.get("added_tokens").isJsonArray()) {
            for (JsonElement t : root.getAsJsonArray("added_tokens")) {
                JsonElement id = t.isJsonObject() ? t.getAsJsonObject().get("id") : null;
                size = Math.max(size, tokenId(file, "an added_tokens entry's id", id) + 1);
            }
        }
        try {
            HuggingFaceTokenizer tok = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optAddSpecialTokens(false)
                    .optTruncation(false)
                    .optPadding(false)
                    .build();
            return new HfTokenizer(tok, file, json, size, bos, eos);
        } catch (IOException | RuntimeException e) {
            throw new FormatException(file, "the tokenizers library rejected this file: " + e.getMessage(), e);
        }
    }

    /**
     * Parsed as strict JSON (RFC 8259), as the Rust library will read it: Gson's default leniency (unquoted
     * keys, single quotes) let through text on which tokenizers 0.21 panics inside a nested deserializer,
     * which aborts the JVM instead of throwing.
     */
    private static JsonElement strictJson(String json) throws IOException {
        JsonReader r = new JsonReader(new StringReader(json));
        r.setStrictness(Strictness.STRICT);
        JsonElement e = JsonParser.parseReader(r);
        if (r.peek() != JsonToken.END_DOCUMENT) {
            throw new JsonSyntaxException("text after the JSON value at " + r.getPath());
        }
        return e;
    }

    /** A token id: a JSON integer in [0, 2^31 - 2]. */
    private static int tokenId(Path file, String what, JsonElement v) {
        if (v != null && v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber()) {
            try {
                int id = v.getAsJsonPrimitive().getAsBigDecimal().intValueExact();
                if (id >= 0 && id < Integer.MAX_VALUE) {
                    return id;
                }
            } catch (ArithmeticException | NumberFormatException e) {
                // not an integer in range: reported below
            }
        }
        throw new FormatException(file, what + " should be a token id (an integer from 0) but is " + v);
    }

    @Override
    public int[] encode(String text) {
        long[] ids;
        try {
            ids = tokenizer.encode(text, false, false).getIds();
        } catch (RuntimeException e) { // the Rust library's refusal, e.g. a character with no token and no <unk>
            throw new FormatException(file, "cannot encode the text: " + e.getMessage() + "; use a tokenizer with an"
                    + " <unk> token or byte fallback for characters outside its vocabulary", e);
        }
        return Arrays.stream(ids).mapToInt(Math::toIntExact).toArray();
    }

    @Override
    public String decode(int[] ids) {
        return tokenizer.decode(Arrays.stream(ids).asLongStream().toArray(), true);
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int bosId() {
        return bosId;
    }

    @Override
    public int eosId() {
        return eosId;
    }

    @Override
    public String toHuggingFaceJson() {
        return json;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
