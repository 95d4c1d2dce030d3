package prunekit.core.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.SharedFiles;

/**
 * {@link SentencePieceBpe#toHuggingFaceJson()}: loaded by the Rust tokenizers library (through
 * {@link HfTokenizer}) it must give the same ids and the same decoded text; its merges must equal
 * those of the real HF conversions of the LLaMA-2 and vi4k tokenizers.
 */
class SentencePieceHfJsonTest {
    @TempDir
    Path tmp;

    /** ≥ 50 varied strings: hand-written ones and random ones from a fixed seed. */
    static List<String> samples() {
        List<String> s = new ArrayList<>(SentencePieceBpeTest.ROUND_TRIPS);
        s.addAll(List.of("Once upon a time, there was a little girl named Lily.", "The cat sat on the mat.",
                "Tom said, \"I want to play with the ball!\"", "Hôm nay trời đẹp quá, chúng ta đi chơi nhé.",
                "Điều 1. Phạm vi điều chỉnh", "Hà Nội là thủ đô của Việt Nam.", "3.14159 + 2.71828 = 5.85987",
                "multiple   inner    spaces", "ends with newline\n", "\n\nstarts with newlines", "UPPER lower MiXeD",
                "x", "xy", "🙂", "a🙂b", "日本語のテキスト", "Ñandú über straße"));
        Random r = new Random(21);
        int[] cps = SentencePieceBpeTest.ALPHABET.codePoints().toArray();
        while (s.size() < 80) {
            StringBuilder b = new StringBuilder();
            int len = 1 + r.nextInt(50);
            for (int i = 0; i < len; i++) {
                b.appendCodePoint(cps[r.nextInt(cps.length)]);
            }
            s.add(b.toString());
        }
        return s;
    }

    @Test
    void storiesJsonTokenizesIdenticallyInRust() throws IOException {
        checkWithRust(SentencePieceBpeTest.stories(), "stories.json");
    }

    @Test
    void jsonHasTheLlamaShape() {
        JsonObject root = JsonParser.parseString(SentencePieceBpeTest.stories().toHuggingFaceJson()).getAsJsonObject();
        JsonObject model = root.getAsJsonObject("model");
        assertEquals("BPE", model.get("type").getAsString());
        assertTrue(model.get("byte_fallback").getAsBoolean());
        assertTrue(model.get("fuse_unk").getAsBoolean());
        assertEquals("<unk>", model.get("unk_token").getAsString());
        assertEquals(512, model.getAsJsonObject("vocab").size());
        assertTrue(root.get("pre_tokenizer").isJsonNull());
        assertEquals(3, root.getAsJsonArray("added_tokens").size());
        assertEquals("Prepend", root.getAsJsonObject("normalizer").getAsJsonArray("normalizers").get(0)
                .getAsJsonObject().get("type").getAsString());
        assertEquals("Strip", root.getAsJsonObject("decoder").getAsJsonArray("decoders").get(3)
                .getAsJsonObject().get("type").getAsString());
    }

    @Test
    void sharedMergesEqualRealHfConversions() throws IOException {
        String[][] pairs = {{"tokenizers/llama2-tokenizer.model", "tokenizers/llama2-tokenizer.json"},
                {"tokenizers/vi4k.model", "tokenizers/vi4k-tokenizer.json"}};
        for (String[] p : pairs) {
            SentencePieceBpe t = SentencePieceModelProto.load(SharedFiles.require(p[0]));
            JsonObject ref = JsonParser.parseString(Files.readString(SharedFiles.require(p[1]), StandardCharsets.UTF_8))
                    .getAsJsonObject().getAsJsonObject("model");
            JsonObject vocab = ref.getAsJsonObject("vocab");
            assertEquals(t.vocabSize(), vocab.size(), p[1] + " vocab size");
            for (int i = 0; i < t.vocabSize(); i++) {
                assertEquals(i, vocab.get(t.piece(i)).getAsInt(), p[1] + " id of " + t.piece(i));
            }
            JsonArray refMerges = ref.getAsJsonArray("merges");
            List<String[]> merges = SentencePieceJson.merges(t);
            assertEquals(refMerges.size(), merges.size(), p[1] + " merges");
            for (int i = 0; i < merges.size(); i++) {
                JsonArray r = refMerges.get(i).getAsJsonArray();
                assertArrayEquals(new String[] {r.get(0).getAsString(), r.get(1).getAsString()}, merges.get(i),
                        p[1] + " merge " + i);
            }
        }
    }

    @Test
    void sharedVi4kJsonTokenizesIdenticallyInRust() throws IOException {
        checkWithRust(SentencePieceModelProto.load(SharedFiles.require("tokenizers/vi4k.model")), "vi4k.json");
    }

    /** Against the independent HF conversion of vi4k, on real Vietnamese text (the perplexity protocol's blocks). */
    @Test
    void sharedVi4kMatchesReferenceJsonOnValidationText() throws IOException {
        SentencePieceBpe t = SentencePieceModelProto.load(SharedFiles.require("tokenizers/vi4k.model"));
        try (HfTokenizer ref = HfTokenizer.load(SharedFiles.require("tokenizers/vi4k-tokenizer.json"))) {
            for (String file : List.of("data/vi/valid/wiki.txt", "data/vi/valid/legal.txt")) {
                String text = Files.readString(SharedFiles.require(file), StandardCharsets.UTF_8);
                List<String> blocks = List.of(text.split("\n\n")).subList(0, 150);
                for (String block : blocks) {
                    if (!block.isEmpty()) {
                        int[] ids = t.encode(block);
                        assertArrayEquals(ref.encode(block), ids, file + ": '" + block + "'");
                        assertEquals(ref.decode(ids), t.decode(ids), file + ": '" + block + "'");
                    }
                }
            }
        }
    }

    private void checkWithRust(SentencePieceBpe t, String name) throws IOException {
        Path json = Files.writeString(tmp.resolve(name), t.toHuggingFaceJson(), StandardCharsets.UTF_8);
        try (HfTokenizer hf = HfTokenizer.load(json)) {
            assertEquals(t.vocabSize(), hf.vocabSize());
            List<String> samples = samples();
            assertTrue(samples.size() >= 50);
            for (String s : samples) {
                int[] ids = t.encode(s);
                assertArrayEquals(ids, hf.encode(s), "ids of '" + s + "'");
                assertEquals(t.decode(ids), hf.decode(ids), "decode of '" + s + "'");
            }
        }
    }
}
