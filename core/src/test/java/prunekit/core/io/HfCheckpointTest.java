package prunekit.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.Model;
import prunekit.core.model.RopeScaling;
import prunekit.core.model.TensorNames;
import prunekit.core.model.TensorNames.Proj;
import prunekit.core.tokenize.Tokenizer;

/** HF checkpoint directories: round trips of small random models, config/weight disagreements, atomic writes. */
class HfCheckpointTest {
    @TempDir
    Path dir;

    private static final LlamaConfig UNIFORM = LlamaConfig.builder().vocabSize(37).hidden(20).headDim(4)
            .uniformLayers(2, new LayerShape(5, 5, 11)).maxPositions(64).build();
    private static final LlamaConfig GQA = UNIFORM.toBuilder().hidden(24).headDim(6)
            .uniformLayers(3, new LayerShape(8, 2, 13)).tieWordEmbeddings(true).build();
    private static final LlamaConfig PER_LAYER = UNIFORM.toBuilder().layers(List.of(new LayerShape(4, 2, 7),
            new LayerShape(0, 0, 9), new LayerShape(3, 1, 0), new LayerShape(5, 5, 11))).build();
    private static final LlamaConfig BIASED = UNIFORM.toBuilder().attentionBias(true).mlpBias(true).ropeTheta(500000)
            .ropeScaling(new RopeScaling(RopeScaling.Type.LLAMA3, 8, 1, 4, 32)).bosId(3).eosId(4).build();

    private static Model model(LlamaConfig c, DType d, Tokenizer tok) {
        LlamaWeights w = IoTestData.randomWeights(c, d, 1234);
        return new Model(c, w, tok, "test");
    }

    static Stream<Arguments> roundTrips() {
        return Stream.of(
                Arguments.of("uniform", UNIFORM, DType.BF16), Arguments.of("uniform", UNIFORM, DType.F16),
                Arguments.of("uniform", UNIFORM, DType.F32), Arguments.of("gqa tied", GQA, DType.BF16),
                Arguments.of("per-layer", PER_LAYER, DType.F16), Arguments.of("per-layer", PER_LAYER, DType.F32),
                Arguments.of("biases llama3", BIASED, DType.BF16));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("roundTrips")
    void roundTrip(String name, LlamaConfig c, DType d) throws IOException {
        Model m = model(c, d, null);
        Path out = dir.resolve("out");
        HfCheckpoint.write(m, out, null);
        Model back = HfCheckpoint.read(out);
        assertEquals(c, back.config());
        assertEquals(d, back.weights().storedDtype());
        assertNull(back.tokenizer());
        assertEquals(List.copyOf(m.weights().tensors().keySet()), List.copyOf(back.weights().tensors().keySet()));
        m.weights().tensors().forEach((k, t) -> IoTestData.assertBitwiseEqual(t, back.weights().get(k), k));
        JsonObject json = JsonFields.readObject(out.resolve("config.json"));
        assertEquals(c.isUniform(), !json.has(HfConfigJson.LAYER_SHAPES_KEY));
        assertEquals(d.torchName(), json.get("torch_dtype").getAsString());
        JsonObject gen = JsonFields.readObject(out.resolve("generation_config.json"));
        assertEquals(c.bosId(), gen.get("bos_token_id").getAsInt());
        assertEquals(List.of("README.md", "config.json", "generation_config.json", "model.safetensors"), list(out));
        assertEquals(List.of("out"), list(dir), "no temporary directory is left");
    }

    @Test
    void writesInAnotherDtypeWhenAsked() {
        Model m = model(UNIFORM, DType.F32, null);
        HfCheckpoint.write(m, dir.resolve("o"), DType.BF16);
        Model back = HfCheckpoint.read(dir.resolve("o"));
        assertEquals(DType.BF16, back.weights().storedDtype());
        m.weights().tensors().forEach((k, t) ->
                IoTestData.assertBitwiseEqual(IoTestData.representable(t, DType.BF16), back.weights().get(k), k));
    }

    @Test
    void shardedCheckpointRoundTrip() throws IOException {
        Model m = model(GQA, DType.BF16, null);
        Path out = dir.resolve("sharded");
        HfCheckpoint.writeWith(m, out, HfCheckpoint.WriteOptions.defaults().withMaxShardBytes(2000));
        List<String> files = list(out);
        assertTrue(files.contains(SafetensorsWriter.INDEX_FILE), files.toString());
        assertFalse(files.contains(SafetensorsWriter.SINGLE_FILE), files.toString());
        assertTrue(files.stream().filter(f -> f.startsWith("model-0")).count() > 2, files.toString());
        Model back = HfCheckpoint.read(out);
        m.weights().tensors().forEach((k, t) -> IoTestData.assertBitwiseEqual(t, back.weights().get(k), k));
    }

    @Test
    void storedDtypeIsTheMajorityOfParameters() throws IOException {
        Model m = model(UNIFORM, DType.BF16, null);
        Path out = dir.resolve("mixed");
        HfCheckpoint.writeWith(m, out, HfCheckpoint.WriteOptions.defaults().withMaxShardBytes(1));
        // rewrite the embedding's shard (the first: 37 x 20 = 740 of 6,100 parameters) in F32
        Map<String, FloatTensor> first = Map.of(TensorNames.EMBED, m.weights().get(TensorNames.EMBED));
        Path shard1 = out.resolve(SafetensorsWriter.shardName(1, list(out).size() - 4));
        SafetensorsWriter.write(shard1, first, DType.F32);
        Model back = HfCheckpoint.read(out);
        assertEquals(DType.BF16, back.weights().storedDtype());
        try (SafetensorsFile f = SafetensorsFile.open(shard1)) {
            assertEquals(DType.F32, f.dtype(TensorNames.EMBED));
        }
    }

    @Test
    void ropeBufferIsIgnored() {
        Model m = model(UNIFORM, DType.F32, null);
        Path out = dir.resolve("rope");
        Map<String, FloatTensor> t = new LinkedHashMap<>(m.weights().tensors());
        t.put("model.layers.0.self_attn.rotary_emb.inv_freq", FloatTensor.zeros(2));
        HfCheckpoint.write(m, out, null);
        SafetensorsWriter.write(out.resolve("model.safetensors"), t, DType.F32);
        assertEquals(m.config(), HfCheckpoint.read(out).config());
    }

    /** A way to spoil a written checkpoint, and what the error must say. */
    static Stream<Arguments> disagreements() {
        return Stream.of(
                Arguments.of("fewer heads in config", edit(o -> {
                    o.addProperty("num_attention_heads", 4);
                    o.addProperty("num_key_value_heads", 4);
                }), "config.json", "tensor model.layers.0.self_attn.q_proj.weight has shape [20, 20]: that is 5 query heads"
                        + " of head_dim 4, but"),
                Arguments.of("other intermediate_size", edit(o -> o.addProperty("intermediate_size", 12)),
                        "model.safetensors", "tensor model.layers.0.mlp.gate_proj.weight has shape [11, 20]"),
                Arguments.of("other vocab", edit(o -> o.addProperty("vocab_size", 40)),
                        "model.safetensors", "tensor model.embed_tokens.weight has shape [37, 20] but"),
                Arguments.of("other head_dim", edit(o -> o.addProperty("head_dim", 6)),
                        "model.safetensors", "20 rows are not a multiple of head_dim 6"),
                Arguments.of("config says tied", edit(o -> o.addProperty("tie_word_embeddings", true)),
                        "model.safetensors", "tensor lm_head.weight differs from model.embed_tokens.weight"),
                Arguments.of("config says biases", edit(o -> o.addProperty("attention_bias", true)),
                        "model.safetensors", "missing tensor model.layers.0.self_attn.q_proj.bias"),
                Arguments.of("more layers", edit(o -> o.addProperty("num_hidden_layers", 3)),
                        "model.safetensors", "missing tensor model.layers.2.self_attn.q_proj.weight"),
                Arguments.of("missing v_proj", tensors(t -> t.remove(TensorNames.weight(1, Proj.V))),
                        "model.safetensors", "missing tensor model.layers.1.self_attn.v_proj.weight (expected shape [20, 20]"),
                Arguments.of("wrong o_proj", tensors(t -> t.put(TensorNames.weight(1, Proj.O), FloatTensor.zeros(20, 16))),
                        "model.safetensors", "tensor model.layers.1.self_attn.o_proj.weight has shape [20, 16] but"),
                Arguments.of("extra tensor", tensors(t -> t.put("model.layers.0.extra.weight", FloatTensor.zeros(3))),
                        "model.safetensors", "unexpected tensor model.layers.0.extra.weight [3]"),
                Arguments.of("missing attention", tensors(t -> t.keySet().removeIf(k -> k.startsWith("model.layers.1.self_attn"))),
                        "model.safetensors", "missing tensor model.layers.1.self_attn.q_proj.weight: "));
    }

    /** Changes config.json of a written checkpoint. */
    private static Consumer<Path> edit(Consumer<JsonObject> change) {
        return out -> {
            JsonObject o = JsonFields.readObject(out.resolve("config.json"));
            change.accept(o);
            writeString(out.resolve("config.json"), o.toString());
        };
    }

    /** Rewrites model.safetensors of a written checkpoint with changed tensors. */
    private static Consumer<Path> tensors(Consumer<Map<String, FloatTensor>> change) {
        return out -> {
            Map<String, FloatTensor> t = new LinkedHashMap<>();
            try (SafetensorsFile f = SafetensorsFile.open(out.resolve("model.safetensors"))) {
                f.names().forEach(n -> t.put(n, f.read(n)));
            }
            change.accept(t);
            SafetensorsWriter.write(out.resolve("model.safetensors"), t, DType.F32);
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("disagreements")
    void configAndWeightsMustAgree(String name, Consumer<Path> spoil, String fileName, String phrase) {
        Path out = dir.resolve("c");
        HfCheckpoint.write(model(UNIFORM, DType.F32, null), out, null);
        spoil.accept(out);
        FormatException e = assertThrows(FormatException.class, () -> HfCheckpoint.read(out));
        assertTrue(e.getMessage().contains(out.resolve(fileName).toString()), "names " + fileName + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(phrase), e.getMessage());
    }

    @Test
    void missingRequiredKeyInConfig() {
        Path out = dir.resolve("k");
        HfCheckpoint.write(model(UNIFORM, DType.F32, null), out, null);
        edit(o -> o.remove("num_hidden_layers")).accept(out);
        FormatException e = assertThrows(FormatException.class, () -> HfCheckpoint.read(out));
        assertTrue(e.getMessage().contains(out.resolve("config.json") + ": required key 'num_hidden_layers' is missing"),
                e.getMessage());
    }

    @Test
    void directoryWithoutWeightsIsExplained() throws IOException {
        Path out = dir.resolve("empty");
        HfCheckpoint.write(model(UNIFORM, DType.F32, null), out, null);
        Files.delete(out.resolve("model.safetensors"));
        FormatException e = assertThrows(FormatException.class, () -> HfCheckpoint.read(out));
        assertTrue(e.getMessage().contains("no model.safetensors or model.safetensors.index.json"), e.getMessage());
    }

    @Test
    void refusesNonEmptyOutputUnlessOverwrite() throws IOException {
        Path out = dir.resolve("busy");
        Files.createDirectories(out);
        Files.writeString(out.resolve("keep.txt"), "mine");
        Model m = model(UNIFORM, DType.F32, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HfCheckpoint.write(m, out, null));
        assertTrue(e.getMessage().contains("exists and is not empty"), e.getMessage());
        assertEquals(List.of("keep.txt"), list(out));
        HfCheckpoint.writeWith(m, out, HfCheckpoint.WriteOptions.defaults().withOverwrite(true));
        assertEquals(List.of("README.md", "config.json", "generation_config.json", "model.safetensors"), list(out));
        assertEquals(List.of("busy"), list(dir), "no temporary or old directory is left");
        Path empty = dir.resolve("empty");
        Files.createDirectories(empty);
        HfCheckpoint.write(m, empty, null);
        assertEquals(m.config(), HfCheckpoint.read(empty).config());
    }

    @Test
    void failedWriteLeavesNothing() throws IOException {
        Tokenizer broken = new StubTokenizer(10) {
            @Override
            public String toHuggingFaceJson() {
                throw new IllegalStateException("cannot serialize");
            }
        };
        Model m = model(UNIFORM, DType.F32, broken);
        assertThrows(IllegalStateException.class, () -> HfCheckpoint.write(m, dir.resolve("never"), null));
        assertEquals(List.of(), list(dir));
    }

    @Test
    void tokenizerIsWrittenAndReadBack() throws IOException {
        Model m = model(UNIFORM, DType.BF16, new StubTokenizer(6));
        Path out = dir.resolve("tok");
        HfCheckpoint.write(m, out, null);
        JsonObject tc = JsonFields.readObject(out.resolve("tokenizer_config.json"));
        assertEquals("<s>", tc.get("bos_token").getAsString());
        assertEquals("</s>", tc.get("eos_token").getAsString());
        assertEquals("<unk>", tc.get("unk_token").getAsString());
        assertTrue(tc.get("add_bos_token").getAsBoolean());
        assertFalse(tc.get("add_eos_token").getAsBoolean());
        assertEquals("LlamaTokenizer", tc.get("tokenizer_class").getAsString());
        assertEquals(64, tc.get("model_max_length").getAsInt());
        try (Tokenizer tok = HfCheckpoint.read(out).tokenizer()) {
            assertEquals(6, tok.vocabSize());
            assertArrayEquals(new int[] {5, 3}, tok.encode("aba"));
        }
    }

    @Test
    void tokenizerLargerThanVocabIsRejected() throws IOException {
        LlamaConfig small = UNIFORM.toBuilder().vocabSize(5).build();
        Path out = dir.resolve("small");
        HfCheckpoint.write(model(small, DType.F32, null), out, null);
        writeString(out.resolve("tokenizer.json"), StubTokenizer.JSON);
        FormatException e = assertThrows(FormatException.class, () -> HfCheckpoint.read(out));
        assertTrue(e.getMessage().contains(out.resolve("tokenizer.json") + ": the tokenizer has 6 tokens but vocab_size"),
                e.getMessage());
    }

    private static List<String> list(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void writeString(Path p, String s) {
        try {
            Files.writeString(p, s);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A 6-token BPE tokenizer ("ab" merges) whose JSON DJL's tokenizers library loads. */
    static class StubTokenizer implements Tokenizer {
        static final String JSON = """
                {"version": "1.0", "truncation": null, "padding": null,
                 "added_tokens": [
                  {"id": 0, "content": "<unk>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                  {"id": 1, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                  {"id": 2, "content": "</s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
                 "normalizer": null, "pre_tokenizer": null, "post_processor": null, "decoder": null,
                 "model": {"type": "BPE", "dropout": null, "unk_token": "<unk>", "continuing_subword_prefix": null,
                  "end_of_word_suffix": null, "fuse_unk": true, "byte_fallback": false,
                  "vocab": {"<unk>": 0, "<s>": 1, "</s>": 2, "a": 3, "b": 4, "ab": 5}, "merges": ["a b"]}}
                """;
        private final int vocab;

        StubTokenizer(int vocab) {
            this.vocab = vocab;
        }

        @Override
        public int[] encode(String text) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String decode(int[] ids) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int vocabSize() {
            return vocab;
        }

        @Override
        public int bosId() {
            return 1;
        }

        @Override
        public int eosId() {
            return 2;
        }

        @Override
        public String toHuggingFaceJson() {
            return JSON;
        }
    }
}
