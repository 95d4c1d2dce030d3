package prunekit.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import prunekit.core.TestModels;
import prunekit.core.SharedFiles;
import prunekit.core.eval.Perplexity;
import prunekit.core.eval.TokenStream;
import prunekit.core.io.LazyModel;
import prunekit.core.io.ModelLoader;
import prunekit.core.io.SyntheticWeights;
import prunekit.core.model.DType;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.Model;
import prunekit.core.model.ReferenceShape;

class LayerStreamerTest {
    /** mini-vina (untied head, bf16 file) and stories260K (tied head, GGUF with permuted q/k). */
    @ParameterizedTest
    @ValueSource(strings = {"models/mini-vina", "models/stories260K.gguf"})
    void logitsAreBitIdenticalToTheInMemoryForward(String path) {
        try (LazyModel lm = ModelLoader.open(SharedFiles.project(path), null)) {
            Model m = lm.load();
            Random r = new Random(3);
            List<int[][]> batches = new ArrayList<>();
            for (int[] shape : new int[][] {{2, 17}, {1, 17}, {3, 17}}) {
                int[][] ids = new int[shape[0]][shape[1]];
                for (int[] row : ids) {
                    for (int j = 0; j < row.length; j++) {
                        row[j] = r.nextInt(m.config().vocabSize());
                    }
                }
                batches.add(ids);
            }
            List<float[]> streamed = new ArrayList<>();
            new LayerStreamer(lm.weights()).forward(batches, (j, logits) -> streamed.add(logits.toFloatArray()), null);
            try (Transformer t = new Transformer(m.weights())) {
                for (int j = 0; j < batches.size(); j++) {
                    try (NDArray ids = t.idsArray(batches.get(j)); NDArray logits = t.forward(ids, null, null)) {
                        assertArrayEquals(logits.toFloatArray(), streamed.get(j), path + " batch " + j);
                    }
                }
            }
        }
    }

    @Test
    void perplexityIsTheSameAsInMemoryAndTheDemosNumber() {
        Path vina = SharedFiles.project("models/mini-vina");
        Path text = SharedFiles.project("data/vi/legal-valid.txt");
        try (LazyModel lm = ModelLoader.open(vina, null)) {
            TokenStream s = TokenStream.of(List.of(text), lm.tokenizer());
            Perplexity.Result streamed = Perplexity.evaluate(new LayerStreamer(lm.weights()), s, 256, 8, null);
            Perplexity.Result inMemory;
            try (Transformer t = new Transformer(lm.load().weights())) {
                inMemory = Perplexity.evaluate(t, s, 256, 8, null);
            }
            assertArrayEquals(inMemory.windowNll(), streamed.windowNll());
            assertEquals(inMemory.perplexity(), streamed.perplexity());
            assertEquals("21.64", String.format("%.2f", streamed.perplexity()), "the demo's dense perplexity");
        }
    }

    @Test
    void sharedMiniVinaValidationPerplexityStreamed() {
        List<Path> valid = List.of(SharedFiles.require("data/vi/valid/wiki.txt"), SharedFiles.require("data/vi/valid/legal.txt"));
        try (LazyModel lm = ModelLoader.open(SharedFiles.project("models/mini-vina"), null)) {
            TokenStream s = TokenStream.of(valid, lm.tokenizer());
            Perplexity.Result r = Perplexity.evaluate(new LayerStreamer(lm.weights()), s, 256, 8, null);
            assertEquals("44.9038", String.format("%.4f", r.perplexity()));
        }
    }

    /** 2 and 16 layers of the same width hold the same weight bytes at once: the largest of embedding, one layer, norm + head. */
    @Test
    void residentWeightsDoNotGrowWithLayerCount() {
        long[] peaks = new long[2];
        int[] layers = {2, 16};
        for (int k = 0; k < 2; k++) {
            LlamaConfig c = ReferenceShape.TINY.withLayers(layers[k]);
            LayerStreamer s = new LayerStreamer(new SyntheticWeights(c, DType.F32, 1));
            List<int[][]> batches = List.<int[][]>of(new int[][] {{1, 5, 9, 2}, {3, 4, 5, 6}});
            int[] seen = {0};
            s.forward(batches, (j, logits) -> seen[0]++, null);
            assertEquals(1, seen[0]);
            peaks[k] = s.peakResidentWeightBytes();
        }
        LlamaConfig c = ReferenceShape.TINY.config();
        long layer = TestModels.layerBytes(c);
        assertEquals(TestModels.oneLayerPeakBytes(c), peaks[0]);
        assertEquals(peaks[0], peaks[1]);
        assertTrue(peaks[1] < 16 * layer, "far below the 16 layers' " + 16 * layer + " bytes");
    }
}
