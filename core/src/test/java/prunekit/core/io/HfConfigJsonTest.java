package prunekit.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import prunekit.core.model.DType;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.RopeScaling;

/** config.json ↔ LlamaConfig: round trips, HF defaults, per-layer shapes and the errors. */
class HfConfigJsonTest {
    @TempDir
    Path dir;

    private static final String STOCK = """
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 32000,
             "hidden_size": 4096, "intermediate_size": 11008, "num_hidden_layers": 32,
             "num_attention_heads": 32, "rms_norm_eps": 1e-05, "bos_token_id": 1, "eos_token_id": 2,
             "max_position_embeddings": 4096, "torch_dtype": "float16"}
            """;

    static Stream<LlamaConfig> configs() {
        LlamaConfig base = LlamaConfig.builder().vocabSize(97).hidden(48).headDim(6)
                .uniformLayers(3, new LayerShape(8, 2, 40)).maxPositions(333).rmsNormEps(1e-6).build();
        return Stream.of(
                base,
                base.toBuilder().tieWordEmbeddings(true).attentionBias(true).mlpBias(true).bosId(128000).eosId(128001)
                        .ropeTheta(500000).ropeScaling(new RopeScaling(RopeScaling.Type.LLAMA3, 8, 1, 4, 8192)).build(),
                base.toBuilder().layers(List.of(new LayerShape(8, 2, 40), new LayerShape(0, 0, 17),
                        new LayerShape(3, 3, 0), new LayerShape(4, 1, 23))).build());
    }

    @ParameterizedTest
    @MethodSource("configs")
    void roundTrip(LlamaConfig c) {
        Path file = dir.resolve("config.json");
        HfConfigJson.write(c, DType.BF16, file);
        assertEquals(c, HfConfigJson.read(file));
    }

    @Test
    void uniformConfigIsStockHf() {
        LlamaConfig c = configs().findFirst().orElseThrow();
        JsonObject o = HfConfigJson.toJson(c, DType.BF16);
        assertEquals("LlamaForCausalLM", o.getAsJsonArray("architectures").get(0).getAsString());
        assertEquals("llama", o.get("model_type").getAsString());
        assertEquals("silu", o.get("hidden_act").getAsString());
        assertEquals("bfloat16", o.get("torch_dtype").getAsString());
        assertEquals(8, o.get("num_attention_heads").getAsInt());
        assertEquals(2, o.get("num_key_value_heads").getAsInt());
        assertTrue(o.keySet().stream().noneMatch(k -> k.startsWith("prunekit")), o.keySet().toString());
        assertTrue(HfConfigJson.toJsonString(c, DType.BF16).contains("\"rope_scaling\": null"));
    }

    @Test
    void perLayerConfigWritesMaximumAndShapes() {
        LlamaConfig c = configs().skip(2).findFirst().orElseThrow();
        JsonObject o = HfConfigJson.toJson(c, null);
        assertEquals(8, o.get("num_attention_heads").getAsInt());
        assertEquals(3, o.get("num_key_value_heads").getAsInt());
        assertEquals(40, o.get("intermediate_size").getAsInt());
        assertEquals("float32", o.get("torch_dtype").getAsString());
        var shapes = o.getAsJsonArray(HfConfigJson.LAYER_SHAPES_KEY);
        assertEquals(4, shapes.size());
        assertEquals(0, shapes.get(1).getAsJsonObject().get("num_attention_heads").getAsInt());
        assertEquals(0, shapes.get(2).getAsJsonObject().get("intermediate_size").getAsInt());
    }

    @Test
    void stockLlama2DefaultsApply() throws IOException {
        LlamaConfig c = HfConfigJson.read(write(STOCK));
        assertEquals(128, c.headDim());
        assertEquals(new LayerShape(32, 32, 11008), c.layer(31));
        assertEquals(32, c.numLayers());
        assertFalse(c.tieWordEmbeddings());
        assertEquals(RopeScaling.NONE, c.ropeScaling());
        assertEquals(10000, c.ropeTheta());
        assertEquals(1e-5, c.rmsNormEps());
        assertEquals(4096, c.maxPositions());
    }

    @Test
    void eosListTakesFirstAndLlama3ScalingIsRead() throws IOException {
        String json = STOCK.replace("\"eos_token_id\": 2", "\"eos_token_id\": [128001, 128008, 128009],"
                + " \"num_key_value_heads\": 8, \"rope_scaling\": {\"type\": \"llama3\", \"factor\": 8.0,"
                + " \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0, \"original_max_position_embeddings\": 8192}");
        LlamaConfig c = HfConfigJson.read(write(json));
        assertEquals(128001, c.eosId());
        assertEquals(new LayerShape(32, 8, 11008), c.layer(0));
        assertEquals(new RopeScaling(RopeScaling.Type.LLAMA3, 8, 1, 4, 8192), c.ropeScaling());
    }

    @ParameterizedTest
    @ValueSource(strings = {"hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "vocab_size"})
    void missingRequiredKeyIsNamed(String key) throws IOException {
        JsonObject o = JsonParser.parseString(STOCK).getAsJsonObject();
        o.remove(key);
        Path file = write(o.toString());
        FormatException e = assertThrows(FormatException.class, () -> HfConfigJson.read(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("required key '" + key + "' is missing"), e.getMessage());
    }

    static Stream<Arguments> badConfigs() {
        return Stream.of(
                Arguments.of("\"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4.0}",
                        "rope_scaling type 'yarn' is not supported; prunekit supports null (plain RoPE), 'default' and 'llama3'"),
                Arguments.of("\"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 4.0}",
                        "required key 'low_freq_factor' is missing in rope_scaling"),
                Arguments.of("\"hidden_size\": \"big\"", "key 'hidden_size' should be an integer but is \"big\""),
                Arguments.of("\"num_key_value_heads\": 5", "must be positive, heads a multiple of KV heads"),
                Arguments.of("\"hidden_act\": \"gelu\"", "hidden_act is 'gelu'"),
                Arguments.of("\"prunekit_layer_shapes\": [{\"num_attention_heads\": 32, \"num_key_value_heads\": 32,"
                        + " \"intermediate_size\": 11008}]", "an array of 32 layer shapes"));
    }

    @ParameterizedTest
    @MethodSource("badConfigs")
    void badValuesAreExplained(String override, String phrase) throws IOException {
        JsonObject o = JsonParser.parseString(STOCK).getAsJsonObject();
        JsonParser.parseString("{" + override + "}").getAsJsonObject().entrySet().forEach(e -> o.add(e.getKey(), e.getValue()));
        Path file = write(o.toString());
        FormatException e = assertThrows(FormatException.class, () -> HfConfigJson.read(file));
        assertTrue(e.getMessage().contains(file.getFileName().toString()), e.getMessage());
        assertTrue(e.getMessage().contains(phrase), e.getMessage());
    }

    @Test
    void editedLayerShapesAreRejected() throws IOException {
        LlamaConfig c = configs().skip(2).findFirst().orElseThrow();
        JsonObject o = HfConfigJson.toJson(c, DType.F32);
        o.addProperty("num_attention_heads", 16);
        Path file = write(o.toString());
        FormatException e = assertThrows(FormatException.class, () -> HfConfigJson.read(file));
        assertTrue(e.getMessage().contains("should be the maximum over prunekit_layer_shapes"), e.getMessage());
    }

    private Path write(String json) throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, json);
        return file;
    }
}
