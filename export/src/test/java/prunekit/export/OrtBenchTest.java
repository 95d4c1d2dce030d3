package prunekit.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;

/** The benchmark on two small synthetic models (a dense one and a per-layer "pruned" one). */
class OrtBenchTest {
    @TempDir
    Path dir;

    @Test
    void measuresPrefillDecodeAndMemoryAndWritesJson() throws Exception {
        LlamaConfig dense = LlamaConfig.builder().vocabSize(256).hidden(64).headDim(16)
                .uniformLayers(3, new LayerShape(4, 2, 128)).maxPositions(128).build();
        LlamaConfig pruned = dense.toBuilder().layers(List.of(new LayerShape(2, 1, 64), new LayerShape(0, 0, 96),
                new LayerShape(4, 2, 32))).build();
        Path a = dir.resolve("dense.onnx");
        Path b = dir.resolve("pruned.onnx");
        SyntheticModels.export(dense, 1, a, OnnxWriter.Options.defaults().withFlavour(OnnxFlavour.OPTIMIZED));
        SyntheticModels.export(pruned, 1, b, OnnxWriter.Options.defaults());
        OrtBench.Config cfg = new OrtBench.Config(List.of(16, 48), List.of(1, 3), 8, 4, 1, 2, 1, 42);
        BenchReport r = OrtBench.run(List.of(new OrtBench.Entry("dense", a), new OrtBench.Entry("pruned", b)), cfg);
        Path json = dir.resolve("bench.json");
        r.write(json);

        JsonObject root = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals(1, root.getAsJsonObject("environment").get("intra_op_threads").getAsInt());
        assertEquals(2, root.getAsJsonArray("models").size());
        for (BenchReport.ModelResult m : r.models()) {
            assertEquals(2, m.prefill().size());
            assertEquals(2, m.decode().size());
            for (BenchReport.Prefill p : m.prefill()) {
                assertTrue(p.tokensPerSecond() > 0 && p.p50Ms() > 0 && p.p90Ms() >= p.p50Ms(), p.toString());
            }
            for (BenchReport.Decode d : m.decode()) {
                assertTrue(d.tokensPerSecond() > 0 && d.p90Ms() >= d.p50Ms(), d.toString());
            }
            assertTrue(m.peakRssBytes() >= m.rssAfterLoadBytes() || !m.peakRssPerModel(), m.toString());
            assertTrue(m.fileBytes() > 0);
        }
        assertEquals("OPTIMIZED", r.models().get(0).flavour());
        assertEquals("STANDARD", r.models().get(1).flavour());
    }

    @Test
    void percentileIsNearestRank() {
        double[] v = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};
        assertEquals(5, OrtBench.percentile(v, 50));
        assertEquals(9, OrtBench.percentile(v, 90));
        assertEquals(10, OrtBench.percentile(v, 100));
        assertEquals(1, OrtBench.percentile(new double[] {1}, 90));
    }
}
