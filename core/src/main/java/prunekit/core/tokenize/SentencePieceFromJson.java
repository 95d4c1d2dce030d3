package prunekit.core.tokenize;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import prunekit.core.tokenize.SentencePieceBpe.TokenType;

/**
 * Reads a Hugging Face {@code tokenizer.json} of the SentencePiece kind (BPE with byte fallback and
 * the ▁ space convention, as {@code transformers}' LlamaConverter writes) back into a
 * {@link SentencePieceBpe}: the inverse of {@link SentencePieceJson}. Scores come from the merge
 * order, the way llama.cpp's SentencePiece tokenizer uses them: the piece made by merge r (0-based,
 * its first merge when several splits make it) gets score −(r + 1), so a higher score is an earlier
 * merge; pieces no merge makes (characters, bytes, special tokens) get 0, which no merge compares.
 * Types: special added tokens → control (the model's unk_token → unknown), other added tokens →
 * user-defined, {@code <0xXX>} → byte, the rest normal.
 */
final class SentencePieceFromJson {
    private SentencePieceFromJson() {
    }

    static SentencePieceBpe read(String json, int bosId, int eosId) {
        JsonObject root = JsonParser.parseString(json).getAsJsonObject();
        JsonObject model = root.getAsJsonObject("model");
        String type = model.has("type") ? model.get("type").getAsString() : "?";
        if (!type.equals("BPE") || !model.has("byte_fallback") || !model.get("byte_fallback").getAsBoolean()) {
            throw new IllegalArgumentException("the tokenizer is " + type + " without byte fallback (GPT-2 style "
                    + "byte-level?); only SentencePiece-style BPE vocabularies (byte fallback, ▁ for spaces) can be "
                    + "written as a 'llama' GGUF vocabulary");
        }
        if (!json.contains("\u2581")) {
            throw new IllegalArgumentException("the tokenizer does not use SentencePiece's ▁ for spaces");
        }
        List<String> pieces = pieces(model, root);
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < pieces.size(); i++) {
            ids.putIfAbsent(pieces.get(i), i);
        }
        float[] scores = scores(model.getAsJsonArray("merges"), ids, pieces.size());
        String unk = model.has("unk_token") && !model.get("unk_token").isJsonNull() ? model.get("unk_token").getAsString() : null;
        TokenType[] types = types(root, pieces, unk);
        return SentencePieceBpe.builder().pieces(pieces).scores(scores).types(types).bosId(bosId).eosId(eosId)
                .unkId(unk != null && ids.containsKey(unk) ? ids.get(unk) : -1).build();
    }

    /** Pieces in id order: model.vocab plus added tokens; every id below the largest must be present. */
    private static List<String> pieces(JsonObject model, JsonObject root) {
        Map<Integer, String> byId = new HashMap<>();
        for (Map.Entry<String, JsonElement> e : model.getAsJsonObject("vocab").entrySet()) {
            byId.put(e.getValue().getAsInt(), e.getKey());
        }
        if (root.has("added_tokens") && root.get("added_tokens").isJsonArray()) {
            for (JsonElement t : root.getAsJsonArray("added_tokens")) {
                JsonObject o = t.getAsJsonObject();
                byId.putIfAbsent(o.get("id").getAsInt(), o.get("content").getAsString());
            }
        }
        int n = byId.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        List<String> pieces = new ArrayList<>(Collections.nCopies(n, (String) null));
        byId.forEach(pieces::set);
        int hole = pieces.indexOf(null);
        if (hole >= 0) {
            throw new IllegalArgumentException("the tokenizer has no token with id " + hole + " (ids must be 0.." + (n - 1) + ")");
        }
        return pieces;
    }

    private static float[] scores(JsonArray merges, Map<String, Integer> ids, int n) {
        float[] scores = new float[n];
        boolean[] seen = new boolean[n];
        for (int r = 0; merges != null && r < merges.size(); r++) {
            JsonElement m = merges.get(r);
            String joined = m.isJsonArray() ? m.getAsJsonArray().get(0).getAsString() + m.getAsJsonArray().get(1).getAsString()
                    : m.getAsString().replaceFirst(" ", "");
            Integer id = ids.get(joined);
            if (id == null) {
                throw new IllegalArgumentException("merge " + r + " (" + m + ") makes '" + joined + "', which is not in the vocabulary");
            }
            if (!seen[id]) {
                seen[id] = true;
                scores[id] = -(r + 1);
            }
        }
        return scores;
    }

    private static TokenType[] types(JsonObject root, List<String> pieces, String unk) {
        TokenType[] types = new TokenType[pieces.size()];
        Arrays.fill(types, TokenType.NORMAL);
        for (int i = 0; i < types.length; i++) {
            if (SentencePieceBpe.parseBytePiece(pieces.get(i)) >= 0) {
                types[i] = TokenType.BYTE;
            }
        }
        if (root.has("added_tokens") && root.get("added_tokens").isJsonArray()) {
            for (JsonElement t : root.getAsJsonArray("added_tokens")) {
                JsonObject o = t.getAsJsonObject();
                int id = o.get("id").getAsInt();
                boolean special = o.has("special") && o.get("special").getAsBoolean();
                types[id] = o.get("content").getAsString().equals(unk) ? TokenType.UNKNOWN
                        : special ? TokenType.CONTROL : TokenType.USER_DEFINED;
            }
        }
        return types;
    }
}
