package prunekit.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.engine.Tolerance;
import prunekit.core.io.HalfFloats;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.RandomWeights;
import prunekit.export.onnx.DataType;
import prunekit.export.onnx.Graph;
import prunekit.export.onnx.Initializer;
import prunekit.export.onnx.ModelSpec;
import prunekit.export.onnx.OnnxFile;

/** The .onnx files themselves: protobuf encoding, external data, fp16 weights, atomic writes. */
class OnnxFileTest {
    @TempDir
    Path dir;

    private static ModelSpec tinySpec(Initializer... inits) {
        Graph g = new Graph("g");
        for (Initializer i : inits) {
            g.addInitializer(i);
        }
        return new ModelSpec(g, 8, Map.of("", 17), "prunekit", "test", "", Map.of("k", "v"));
    }

    /** Decoded with protobuf's generic parser: the field numbers and values of onnx.proto. */
    @Test
    void encodesOnnxFieldNumbers() throws Exception {
        Path f = dir.resolve("m.onnx");
        OnnxFile.write(tinySpec(Initializer.ofFloats("w", new long[] {2}, 1.5f, -2f)), f, OnnxFile.ExternalData.NEVER);
        UnknownFieldSet model = UnknownFieldSet.parseFrom(Files.readAllBytes(f));
        assertEquals(List.of(8L), model.getField(1).getVarintList());                       // ir_version
        UnknownFieldSet opset = UnknownFieldSet.parseFrom(model.getField(8).getLengthDelimitedList().get(0));
        assertEquals(ByteString.copyFromUtf8(""), opset.getField(1).getLengthDelimitedList().get(0));
        assertEquals(List.of(17L), opset.getField(2).getVarintList());
        UnknownFieldSet graph = UnknownFieldSet.parseFrom(model.getField(7).getLengthDelimitedList().get(0));
        UnknownFieldSet tensor = UnknownFieldSet.parseFrom(graph.getField(5).getLengthDelimitedList().get(0));
        assertEquals("w", tensor.getField(8).getLengthDelimitedList().get(0).toStringUtf8());
        assertEquals(List.of(1L), tensor.getField(2).getVarintList());                      // FLOAT
        byte[] raw = tensor.getField(9).getLengthDelimitedList().get(0).toByteArray();
        assertArrayEquals(new byte[] {0, 0, (byte) 0xC0, 0x3F, 0, 0, 0, (byte) 0xC0}, raw); // 1.5f, -2f LE
        UnknownFieldSet meta = UnknownFieldSet.parseFrom(model.getField(14).getLengthDelimitedList().get(0));
        assertEquals("v", meta.getField(2).getLengthDelimitedList().get(0).toStringUtf8());
    }

    @Test
    void refusesInlineModelsOverTwoGigabytes() {
        Initializer huge = Initializer.ofFloats("huge", DataType.FLOAT, new long[] {600_000_000L}, () -> {
            throw new AssertionError("no data should be produced before the size check");
        });
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxFile.write(tinySpec(huge), dir.resolve("big.onnx"), OnnxFile.ExternalData.NEVER));
        assertTrue(e.getMessage().contains("external data"), e.getMessage());
    }

    @Test
    void externalDataGivesTheSameLogitsAndAlignedOffsets() throws Exception {
        LlamaWeights w = RandomWeights.of(TestConfigs.GQA_TIED.config(), 3);
        Path inline = dir.resolve("inline.onnx");
        Path external = dir.resolve("external.onnx");
        OnnxWriter.Result ri = OnnxWriter.write(w, inline, OnnxWriter.Options.defaults());
        OnnxWriter.Result re = OnnxWriter.write(w, external,
                OnnxWriter.Options.defaults().withExternalData(OnnxFile.ExternalData.ALWAYS));
        assertNull(ri.data());
        assertEquals(dir.resolve("external.onnx.data"), re.data());
        assertTrue(Files.size(re.data()) >= ri.weightBytes(), "weights are in the data file");
        assertTrue(Files.size(external) < Files.size(inline) / 4, "only the graph stays in the .onnx file");
        int[] ids = TestConfigs.tokens(9, w.config().vocabSize(), 1);
        try (OnnxModel a = OnnxModel.load(inline, new OnnxModel.RunOptions(1, true));
             OnnxModel b = OnnxModel.load(external, new OnnxModel.RunOptions(1, true))) {
            assertArrayEquals(OnnxRuns.prefillLogits(a, ids), OnnxRuns.prefillLogits(b, ids));
        }
    }

    @Test
    void fp16WeightsMatchAReferenceWithRoundedWeights() throws Exception {
        LlamaWeights w = RandomWeights.of(TestConfigs.PER_LAYER.config(), 5);
        Path f32 = dir.resolve("f32.onnx");
        Path f16 = dir.resolve("f16.onnx");
        OnnxWriter.Result r32 = OnnxWriter.write(w, f32, OnnxWriter.Options.defaults());
        OnnxWriter.Result r16 = OnnxWriter.write(w, f16, OnnxWriter.Options.defaults().withWeightDtype(DType.F16)
                .withFlavour(OnnxFlavour.OPTIMIZED));
        assertTrue(r16.weightBytes() < 0.6 * r32.weightBytes(), r16.weightBytes() + " vs " + r32.weightBytes());
        int[] ids = TestConfigs.tokens(10, w.config().vocabSize(), 8);
        float[][] expected = TestConfigs.reference(roundToHalf(w), ids);
        try (OnnxModel m = OnnxModel.load(f16, new OnnxModel.RunOptions(1, true))) {
            // fp16 weights on both sides, fp32 arithmetic: the fp32 rule
            Comparison c = new Comparison(Tolerance.FP32).include("fp16 prefill", expected,
                    OnnxRuns.prefillLogits(m, ids));
            assertTrue(c.withinTolerance(), c.toString());
            assertEquals("F16", m.metadata().get(ModelMetadata.WEIGHT_DTYPE));
        }
    }

    @Test
    void writesAtomicallyAndReplacesAStaleDataFile() throws Exception {
        LlamaWeights w = RandomWeights.of(TestConfigs.MHA.config(), 2);
        Path f = dir.resolve("m.onnx");
        OnnxWriter.write(w, f, OnnxWriter.Options.defaults().withExternalData(OnnxFile.ExternalData.ALWAYS));
        assertTrue(Files.exists(dir.resolve("m.onnx.data")));
        OnnxWriter.Result again = OnnxWriter.write(w, f, OnnxWriter.Options.defaults());
        assertNull(again.data());
        assertFalse(Files.exists(dir.resolve("m.onnx.data")), "the inline rewrite removes the old data file");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList(), "no temporary files are left behind");
        }
        try (OnnxModel m = OnnxModel.load(f, new OnnxModel.RunOptions(1, true))) {
            assertNotNull(OnnxRuns.prefillLogits(m, new int[] {1, 2, 3}));
            assertEquals(Map.of(0, 6, 1, 6), m.cacheLayers());
        }
    }

    static LlamaWeights roundToHalf(LlamaWeights w) {
        Map<String, FloatTensor> m = new LinkedHashMap<>();
        w.tensors().forEach((name, t) -> {
            float[] d = t.data().clone();
            for (int i = 0; i < d.length; i++) {
                d[i] = HalfFloats.f16ToF32(HalfFloats.f32ToF16(d[i]));
            }
            m.put(name, new FloatTensor(t.shape(), d));
        });
        return new LlamaWeights(w.config(), m, DType.F16);
    }
}
