package prunekit.core.tokenize;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import prunekit.core.tokenize.SentencePieceBpe.TokenType;

/**
 * Writes a {@link SentencePieceBpe} vocabulary as the Hugging Face {@code tokenizer.json} that
 * {@code transformers}' {@code LlamaConverter} produces: BPE with byte fallback, merges derived from
 * the scores as {@code SentencePieceExtractor} does, the ▁ normalizer and the LLaMA decoder chain.
 */
final class SentencePieceJson {
    private SentencePieceJson() {
    }

    /** One merge: the two parts, and what orders it (merged piece's score, then ids). */
    private record Merge(String left, String right, float score, int merged, int leftId, int rightId) {
    }

    static String write(SentencePieceBpe t) {
        JsonObject root = new JsonObject();
        root.addProperty("version", "1.0");
        root.add("truncation", JsonNull.INSTANCE);
        root.add("padding", JsonNull.INSTANCE);
        root.add("added_tokens", addedTokens(t));
        root.add("normalizer", normalizer());
        root.add("pre_tokenizer", JsonNull.INSTANCE);
        root.add("post_processor", t.bosId() >= 0 ? bosTemplate(t.piece(t.bosId()), t.bosId()) : JsonNull.INSTANCE);
        root.add("decoder", decoder());
        root.add("model", model(t));
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create().toJson(root);
    }

    /**
     * Merges as HF's {@code SentencePieceExtractor}: every split of every piece into two pieces of
     * the vocabulary, ordered by the merged piece's score (descending), then its id, then the ids
     * of the two parts. (Python's stable sort over pieces in id order gives exactly this order.)
     */
    static List<String[]> merges(SentencePieceBpe t) {
        Map<String, Integer> vocab = new HashMap<>();
        for (int i = 0; i < t.vocabSize(); i++) {
            vocab.put(t.piece(i), i); // later ids win on duplicates, as in the extractor's dict
        }
        List<Merge> all = new ArrayList<>();
        for (int id = 0; id < t.vocabSize(); id++) {
            String p = t.piece(id);
            for (int k = p.isEmpty() ? 0 : p.offsetByCodePoints(0, 1); k < p.length(); k = p.offsetByCodePoints(k, 1)) {
                Integer l = vocab.get(p.substring(0, k));
                Integer r = vocab.get(p.substring(k));
                if (l != null && r != null) {
                    all.add(new Merge(p.substring(0, k), p.substring(k), t.score(id), id, l, r));
                }
            }
        }
        Comparator<Merge> byScoreDescending = (a, b) -> Float.compare(b.score() + 0f, a.score() + 0f);
        all.sort(byScoreDescending.thenComparingInt(Merge::merged).thenComparingInt(Merge::leftId).thenComparingInt(Merge::rightId));
        List<String[]> out = new ArrayList<>(all.size());
        for (Merge m : all) {
            out.add(new String[] {m.left(), m.right()});
        }
        return out;
    }

    private static JsonObject model(SentencePieceBpe t) {
        JsonObject m = new JsonObject();
        m.addProperty("type", "BPE");
        m.add("dropout", JsonNull.INSTANCE);
        if (t.unkId() >= 0) {
            m.addProperty("unk_token", t.piece(t.unkId()));
        } else {
            m.add("unk_token", JsonNull.INSTANCE);
        }
        m.add("continuing_subword_prefix", JsonNull.INSTANCE);
        m.add("end_of_word_suffix", JsonNull.INSTANCE);
        m.addProperty("fuse_unk", true);
        m.addProperty("byte_fallback", true);
        m.addProperty("ignore_merges", false);
        JsonObject vocab = new JsonObject();
        for (int i = 0; i < t.vocabSize(); i++) {
            vocab.addProperty(t.piece(i), i);
        }
        m.add("vocab", vocab);
        JsonArray merges = new JsonArray();
        for (String[] pair : merges(t)) {
            JsonArray a = new JsonArray();
            a.add(pair[0]);
            a.add(pair[1]);
            merges.add(a);
        }
        m.add("merges", merges);
        return m;
    }

    /** Control and unknown pieces, as special tokens (skipped when decoding). */
    private static JsonArray addedTokens(SentencePieceBpe t) {
        JsonArray a = new JsonArray();
        for (int i = 0; i < t.vocabSize(); i++) {
            TokenType type = t.type(i);
            if (type == TokenType.CONTROL || type == TokenType.UNKNOWN) {
                JsonObject o = new JsonObject();
                o.addProperty("id", i);
                o.addProperty("content", t.piece(i));
                o.addProperty("single_word", false);
                o.addProperty("lstrip", false);
                o.addProperty("rstrip", false);
                o.addProperty("normalized", false);
                o.addProperty("special", true);
                a.add(o);
            }
        }
        return a;
    }

    private static JsonObject normalizer() {
        JsonObject prepend = new JsonObject();
        prepend.addProperty("type", "Prepend");
        prepend.addProperty("prepend", String.valueOf(SentencePieceBpe.SPACE));
        JsonArray seq = new JsonArray();
        seq.add(prepend);
        seq.add(replace(" ", String.valueOf(SentencePieceBpe.SPACE)));
        JsonObject n = new JsonObject();
        n.addProperty("type", "Sequence");
        n.add("normalizers", seq);
        return n;
    }

    private static JsonObject decoder() {
        JsonArray seq = new JsonArray();
        seq.add(replace(String.valueOf(SentencePieceBpe.SPACE), " "));
        seq.add(typeOnly("ByteFallback"));
        seq.add(typeOnly("Fuse"));
        JsonObject strip = new JsonObject();
        strip.addProperty("type", "Strip");
        strip.addProperty("content", " ");
        strip.addProperty("start", 1);
        strip.addProperty("stop", 0);
        seq.add(strip);
        JsonObject d = new JsonObject();
        d.addProperty("type", "Sequence");
        d.add("decoders", seq);
        return d;
    }

    private static JsonObject replace(String from, String to) {
        JsonObject pattern = new JsonObject();
        pattern.addProperty("String", from);
        JsonObject r = new JsonObject();
        r.addProperty("type", "Replace");
        r.add("pattern", pattern);
        r.addProperty("content", to);
        return r;
    }

    private static JsonObject typeOnly(String type) {
        JsonObject o = new JsonObject();
        o.addProperty("type", type);
        return o;
    }

    /** The post-processor of HF's LLaMA tokenizers: BOS before each sequence (used only with add_special_tokens). */
    private static JsonObject bosTemplate(String bos, int bosId) {
        JsonObject p = new JsonObject();
        p.addProperty("type", "TemplateProcessing");
        JsonArray single = new JsonArray();
        single.add(templateItem("SpecialToken", bos, 0));
        single.add(templateItem("Sequence", "A", 0));
        JsonArray pair = new JsonArray();
        pair.add(templateItem("SpecialToken", bos, 0));
        pair.add(templateItem("Sequence", "A", 0));
        pair.add(templateItem("SpecialToken", bos, 1));
        pair.add(templateItem("Sequence", "B", 1));
        p.add("single", single);
        p.add("pair", pair);
        JsonObject entry = new JsonObject();
        entry.addProperty("id", bos);
        JsonArray ids = new JsonArray();
        ids.add(bosId);
        entry.add("ids", ids);
        JsonArray tokens = new JsonArray();
        tokens.add(bos);
        entry.add("tokens", tokens);
        JsonObject specials = new JsonObject();
        specials.add(bos, entry);
        p.add("special_tokens", specials);
        return p;
    }

    /** One item of a template: {@code {kind: {"id": id, "type_id": typeId}}}, kind "SpecialToken" or "Sequence". */
    private static JsonObject templateItem(String kind, String id, int typeId) {
        JsonObject inner = new JsonObject();
        inner.addProperty("id", id);
        inner.addProperty("type_id", typeId);
        JsonObject o = new JsonObject();
        o.add(kind, inner);
        return o;
    }
}
