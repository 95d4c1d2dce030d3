package prunekit.core.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.Map;

/**
 * The minimal {@code tokenizer_config.json} written beside a {@code tokenizer.json}: what the
 * LLaMA-2 checkpoints ship (BOS added, EOS not, {@code LlamaTokenizer} class, whose fast variant
 * transformers builds from {@code tokenizer.json}). Special-token strings are looked up by id in
 * the tokenizer's own vocab, falling back to LLaMA's {@code <s>}, {@code </s>}, {@code <unk>}.
 */
final class TokenizerConfigJson {
    private TokenizerConfigJson() {
    }

    static JsonObject build(String tokenizerJson, int bosId, int eosId, int maxPositions) {
        JsonObject tok = parseOrEmpty(tokenizerJson);
        JsonObject o = new JsonObject();
        o.addProperty("add_bos_token", true);
        o.addProperty("add_eos_token", false);
        o.addProperty("bos_token", tokenString(tok, bosId, "<s>"));
        o.addProperty("eos_token", tokenString(tok, eosId, "</s>"));
        String unk = unkToken(tok);
        if (unk != null) {
            o.addProperty("unk_token", unk);
        }
        o.addProperty("tokenizer_class", "LlamaTokenizer");
        o.addProperty("model_max_length", maxPositions);
        return o;
    }

    private static JsonObject parseOrEmpty(String json) {
        try {
            JsonElement e = JsonParser.parseString(json);
            return e.isJsonObject() ? e.getAsJsonObject() : new JsonObject();
        } catch (RuntimeException e) {
            return new JsonObject();
        }
    }

    private static String tokenString(JsonObject tok, int id, String fallback) {
        if (tok.has("added_tokens") && tok.get("added_tokens").isJsonArray()) {
            for (JsonElement t : tok.getAsJsonArray("added_tokens")) {
                if (t.isJsonObject() && t.getAsJsonObject().has("id") && t.getAsJsonObject().get("id").getAsInt() == id
                        && t.getAsJsonObject().has("content")) {
                    return t.getAsJsonObject().get("content").getAsString();
                }
            }
        }
        JsonObject vocab = vocab(tok);
        if (vocab != null) {
            for (Map.Entry<String, JsonElement> e : vocab.entrySet()) {
                if (e.getValue().isJsonPrimitive() && e.getValue().getAsInt() == id) {
                    return e.getKey();
                }
            }
        }
        return fallback;
    }

    private static String unkToken(JsonObject tok) {
        JsonObject model = tok.has("model") && tok.get("model").isJsonObject() ? tok.getAsJsonObject("model") : null;
        if (model != null && model.has("unk_token") && model.get("unk_token").isJsonPrimitive()) {
            return model.get("unk_token").getAsString();
        }
        JsonObject vocab = vocab(tok);
        return vocab == null || vocab.has("<unk>") ? "<unk>" : null;
    }

    private static JsonObject vocab(JsonObject tok) {
        JsonObject model = tok.has("model") && tok.get("model").isJsonObject() ? tok.getAsJsonObject("model") : null;
        return model != null && model.has("vocab") && model.get("vocab").isJsonObject()
                ? model.getAsJsonObject("vocab") : null;
    }
}
