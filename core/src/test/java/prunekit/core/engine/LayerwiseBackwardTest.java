package prunekit.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import prunekit.core.SharedFiles;
import prunekit.core.TestModels;
import prunekit.core.eval.WindowBatch;
import prunekit.core.io.ModelLoader;
import prunekit.core.io.TensorSource;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;

class LayerwiseBackwardTest {
    /** A tiny GQA model, untied and tied. */
    private static LlamaConfig tiny(boolean tied) {
        return LlamaConfig.builder().vocabSize(48).hidden(16).headDim(4).uniformLayers(3, new LayerShape(4, 2, 24))
                .tieWordEmbeddings(tied).maxPositions(64).build();
    }

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of("tiny untied", TestModels.random(tiny(false), 5, 0.2), 0L),
                Arguments.of("tiny tied, inputs spilled to disk", TestModels.random(tiny(true), 6, 0.2), 0L),
                Arguments.of("tiny tied", TestModels.random(tiny(true), 7, 0.2), Long.MAX_VALUE),
                Arguments.of("stories260K", ModelLoader.load(SharedFiles.project("models/stories260K.gguf"), null).weights(),
                        Long.MAX_VALUE),
                Arguments.of("mini-vina", ModelLoader.load(SharedFiles.project("models/mini-vina"), null).weights(), 0L));
    }

    /** Every weight's mean-loss gradient is bit-identical to one whole-model backward per batch, summed by autograd. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void gradientsAreBitIdenticalToTheWholeModelBackward(String name, LlamaWeights w, long inMemory, @TempDir Path dir)
            throws Exception {
        int[][] windows = new int[5][];
        for (int i = 0; i < windows.length; i++) {
            windows[i] = TestModels.randomIds(13, w.config().vocabSize(), 11 + i);
        }
        List<WindowBatch> batches = List.of(WindowBatch.of(windows, 0, 2, 12), WindowBatch.of(windows, 2, 2, 12),
                WindowBatch.of(windows, 4, 1, 12));
        Map<String, float[]> expected = wholeModel(w, batches);
        List<Float> losses = new ArrayList<>();
        Map<String, FloatTensor> got = LayerwiseBackward.meanLossGradients(TensorSource.of(w, name), batches,
                LayerStep.NONE, (j, logits) -> losses.add(logits.sum().getFloat()), dir, inMemory);
        assertEquals(expected.keySet(), got.keySet(), name);
        expected.forEach((t, g) -> assertArrayEquals(g, got.get(t).data(), name + ": " + t));
        assertEquals(batches.size(), losses.size(), "every batch's logits reach the sink");
        try (Stream<Path> left = Files.list(dir)) {
            assertTrue(left.findAny().isEmpty(), "spilled inputs are deleted");
        }
    }

    /** The reference: the whole model in memory, every weight requiring gradients, one backward per batch. */
    private static Map<String, float[]> wholeModel(LlamaWeights w, List<WindowBatch> batches) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (Params params = new Params(w); Transformer model = new Transformer(params)) {
            params.arrays().values().forEach(a -> a.setRequiresGradient(true));
            for (WindowBatch b : batches) {
                try (NDManager m = model.manager().newSubManager();
                     GradientCollector gc = Engines.pytorch().newGradientCollector();
                     NDArray logits = model.forward(b.inputArray(m), null, null);
                     NDArray loss = Losses.tokenNll(logits, b.targetArray(m)).mean()) {
                    gc.backward(loss);
                }
            }
            params.arrays().forEach((n, a) -> {
                try (NDArray g = a.getGradient()) {
                    float[] x = g.toFloatArray();
                    for (int i = 0; i < x.length; i++) {
                        x[i] /= batches.size();
                    }
                    out.put(n, x);
                }
            });
        }
        return out;
    }
}
