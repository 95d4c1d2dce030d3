package prunekit.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import prunekit.core.TestModels;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.RopeScaling;

class TransformerTest {

    static Stream<Arguments> configs() {
        LlamaConfig.Builder base = LlamaConfig.builder().vocabSize(37).hidden(24).headDim(6).maxPositions(64);
        return Stream.of(
                Arguments.of("MHA untied", base.uniformLayers(2, new LayerShape(4, 4, 40)).build()),
                Arguments.of("GQA tied", base.uniformLayers(3, new LayerShape(4, 2, 18)).tieWordEmbeddings(true).build()),
                Arguments.of("per-layer with empty blocks", base.tieWordEmbeddings(false).layers(List.of(
                        new LayerShape(4, 2, 17), new LayerShape(0, 0, 9), new LayerShape(3, 1, 0),
                        new LayerShape(2, 2, 31))).build()),
                Arguments.of("biases", base.uniformLayers(2, new LayerShape(2, 1, 11)).attentionBias(true).mlpBias(true).build()),
                Arguments.of("llama3 rope", base.uniformLayers(1, new LayerShape(4, 1, 12)).attentionBias(false).mlpBias(false)
                        .ropeTheta(500000).ropeScaling(new RopeScaling(RopeScaling.Type.LLAMA3, 8, 1, 4, 16)).build()));
    }

    private static int[] randomIds(int n, int vocab, long seed) {
        Random r = new Random(seed);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = r.nextInt(vocab);
        }
        return ids;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void prefillMatchesReference(String name, LlamaConfig config) {
        LlamaWeights w = TestModels.random(config, 42, 0.2);
        int[] ids = randomIds(13, config.vocabSize(), 7);
        double[][] ref = new ReferenceForward(w).logits(ids);
        try (Transformer t = new Transformer(w)) {
            Tolerance.FP32.check(name, ref, t.logits(ids));
        }
    }

    /** Every hook site of the engine sees what the reference's hooks see, position by position. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void hookSitesMatchReference(String name, LlamaConfig config) {
        LlamaWeights w = TestModels.random(config, 21, 0.2);
        int[] ids = randomIds(9, config.vocabSize(), 8);
        Map<String, List<double[]>> ref = new TreeMap<>();
        ReferenceForward.Hooks refHooks = new ReferenceForward.Hooks() {
            private void put(String key, double[] x) {
                ref.computeIfAbsent(key, k -> new ArrayList<>()).add(x.clone());
            }

            public void linearInput(int layer, ForwardHooks.Site site, int position, double[] x) {
                put(layer + " " + site, x);
            }

            public void headOutputs(int layer, int position, double[] heads) {
                put(layer + " heads", heads);
            }

            public void attentionOutput(int layer, int position, double[] out) {
                put(layer + " attention output", out);
            }

            public void layerInput(int layer, int position, double[] h) {
                put(layer + " layer input", h);
            }

            public void layerOutput(int layer, int position, double[] h) {
                put(layer + " layer output", h);
            }
        };
        try (ReferenceForward.Run run = new ReferenceForward(w).newDecoder(refHooks)) {
            run.append(ids);
        }
        Map<String, float[]> got = new TreeMap<>();
        ForwardHooks hooks = new ForwardHooks() {
            public void linearInput(int layer, Site site, NDArray x) {
                got.put(layer + " " + site, x.toFloatArray());
            }

            public void headOutputs(int layer, NDArray heads) {
                got.put(layer + " heads", heads.toFloatArray());
            }

            public void attentionOutput(int layer, NDArray out) {
                got.put(layer + " attention output", out.toFloatArray());
            }

            public void layerInput(int layer, NDArray h) {
                got.put(layer + " layer input", h.toFloatArray());
            }

            public void layerOutput(int layer, NDArray h) {
                got.put(layer + " layer output", h.toFloatArray());
            }
        };
        try (Transformer t = new Transformer(w); NDArray in = t.idsArray(new int[][] {ids});
             NDArray out = t.forward(in, null, hooks)) {
            assertEquals(ref.keySet(), got.keySet(), name + ": the same sites fire");
            ref.forEach((site, rows) -> Tolerance.FP32.check(name + " " + site,
                    rows.stream().flatMapToDouble(java.util.Arrays::stream).toArray(), got.get(site)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void cachedDecodeMatchesPrefill(String name, LlamaConfig config) {
        LlamaWeights w = TestModels.random(config, 3, 0.2);
        int[] ids = randomIds(11, config.vocabSize(), 5);
        try (Transformer t = new Transformer(w); KvCache cache = t.newCache()) {
            float[][] full = t.logits(ids);
            float[][] first = t.forwardCached(cache, java.util.Arrays.copyOf(ids, 4));
            Tolerance.FP32.check(name + " prefill part", Tolerance.toDouble(java.util.Arrays.copyOf(full, 4)), first);
            for (int i = 4; i < ids.length; i++) {
                float[] step = t.forwardCached(cache, new int[] {ids[i]})[0];
                Tolerance.FP32.check(name + " step " + i, Tolerance.toDouble(full[i]), step);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void batchRowsAreIndependent(String name, LlamaConfig config) {
        LlamaWeights w = TestModels.random(config, 9, 0.2);
        int[] a = randomIds(8, config.vocabSize(), 1);
        int[] b = randomIds(8, config.vocabSize(), 2);
        try (Transformer t = new Transformer(w); NDArray ids = t.idsArray(new int[][] {a, b});
             NDArray out = t.forward(ids, null, null)) {
            float[] flat = out.toFloatArray();
            float[][] la = t.logits(a);
            float[][] lb = t.logits(b);
            int v = config.vocabSize();
            float[] rowB = java.util.Arrays.copyOfRange(flat, 8 * v + 3 * v, 8 * v + 4 * v);
            Tolerance.FP32.check(name + " batch row 1", Tolerance.toDouble(lb[3]), rowB);
            float[] rowA = java.util.Arrays.copyOfRange(flat, 5 * v, 6 * v);
            Tolerance.FP32.check(name + " batch row 0", Tolerance.toDouble(la[5]), rowA);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void sameInputGivesBitIdenticalLogits(String name, LlamaConfig config) {
        LlamaWeights w = TestModels.random(config, 11, 0.2);
        int[] ids = randomIds(6, config.vocabSize(), 3);
        try (Transformer t1 = new Transformer(w); Transformer t2 = new Transformer(w)) {
            float[][] x = t1.logits(ids);
            float[][] y = t2.logits(ids);
            for (int i = 0; i < x.length; i++) {
                assertArrayEquals(x[i], y[i], name);
            }
        }
    }
}
