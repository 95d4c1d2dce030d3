package prunekit.core.tokenize;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
            root = JsonParser.parseString(json).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new FormatException(file, "not a JSON tokenizer file (" + e.getMessage() + ")", e);
        }
        int size;
        int bos = 1;
        int eos = 2;
        JsonObject model = root.has("model") && root.get("model").isJsonObject() ? root.getAsJsonObject("model") : null;
        if (model == null || !model.has("vocab")) {
            throw new FormatException(file, "tokenizer.json has no model.vocab; expected a Hugging Face tokenizer file");
        }
        JsonElement vocab = model.get("vocab");
        try {
            size = vocabSize(root, vocab);
        } catch (IllegalStateException | UnsupportedOperationException | NumberFormatException | NullPointerException e) {
            throw new FormatException(file, "model.vocab or added_tokens has an entry without an integer id ("
                    + e.getMessage() + ")", e);
        }
        if (vocab.isJsonObject()) {
            for (Map.Entry<String, JsonElement> e : vocab.getAsJsonObject().entrySet()) {
                int id = e.getValue().getAsInt();
                if (e.getKey().equals("<s>") || e.getKey().equals("<|begin_of_text|>")) {
                    bos = id;
                }
                if (e.getKey().equals("</s>") || e.getKey().equals("<|end_of_text|>")) {
                    eos = id;
                }
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

    /** One past the largest id in model.vocab (an object of ids, or an array) and added_tokens. */
    private static int vocabSize(JsonObject root, JsonElement vocab) {
        int size = 0;
        if (vocab.isJsonObject()) {
            for (Map.Entry<String, JsonElement> e : vocab.getAsJsonObject().entrySet()) {
                size = Math.max(size, e.getValue().getAsInt() + 1);
            }
        } else if (vocab.isJsonArray()) {
            size = vocab.getAsJsonArray().size();
        }
        if (root.has("added_tokens") && root.get("added_tokens").isJsonArray()) {
            for (JsonElement t : root.getAsJsonArray("added_tokens")) {
                size = Math.max(size, t.getAsJsonObject().get("id").getAsInt() + 1);
            }
        }
        return size;
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
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            l[i] = ids[i];
        }
        return tokenizer.decode(l, true);
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
