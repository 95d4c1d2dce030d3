package prunekit.calibrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import prunekit.core.TestModels;
import prunekit.core.engine.ForwardHooks.Site;
import prunekit.core.engine.Losses;
import prunekit.core.engine.Tolerance;
import prunekit.core.engine.Transformer;
import prunekit.core.eval.WindowBatch;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.TensorNames;

class StatsCollectorTest {
    static final LlamaConfig CONFIG = LlamaConfig.builder().vocabSize(50).hidden(16).headDim(4)
            .layers(List.of(new LayerShape(4, 2, 24), new LayerShape(4, 2, 24))).maxPositions(32).build();
    static final LlamaWeights WEIGHTS = TestModels.random(CONFIG, 3, 0.2);

    static CalibrationSet set(int samples) {
        int[] stream = new int[600];
        java.util.Random r = new java.util.Random(5);
        for (int i = 0; i < stream.length; i++) {
            stream[i] = r.nextInt(50);
        }
        return CalibrationSet.fromStream(stream, "random", new CalibrationOptions(samples, 12, 1, 2));
    }

    /** Layer 0's attention input is RMSNorm(embedding): its moments computed by plain loops in double. */
    @Test
    void firstLayerInputMomentsMatchAPlainReference() {
        CalibrationSet s = set(6);
        ActivationStats st = StatsCollector.collect(WEIGHTS, s, new StatsOptions(4, false), null);
        int h = CONFIG.hidden();
        float[] emb = WEIGHTS.get(TensorNames.EMBED).data();
        float[] w = WEIGHTS.get(TensorNames.inputNorm(0)).data();
        double[] sum = new double[h];
        double[] sq = new double[h];
        for (int[] win : s.calibration()) {
            for (int t = 0; t < s.seqLen(); t++) {
                int tok = win[t];
                double ms = 0;
                for (int j = 0; j < h; j++) {
                    ms += (double) emb[tok * h + j] * emb[tok * h + j];
                }
                double inv = 1 / Math.sqrt(ms / h + CONFIG.rmsNormEps());
                for (int j = 0; j < h; j++) {
                    double x = emb[tok * h + j] * inv * w[j];
                    sum[j] += x;
                    sq[j] += x * x;
                }
            }
        }
        ChannelStats c = st.channel(0, Site.ATTN_INPUT);
        assertEquals(6L * 12, c.count());
        double[] mean = new double[h];
        float[] got = new float[h];
        for (int j = 0; j < h; j++) {
            mean[j] = sum[j] / c.count();
            got[j] = (float) c.mean(j);
        }
        Tolerance.FP32.check("mean", mean, got);
        for (int j = 0; j < h; j++) {
            mean[j] = Math.sqrt(sq[j]);
            got[j] = (float) c.l2Norm(j);
        }
        Tolerance.FP32.check("l2 norm", mean, got);
        for (int l = 0; l < 2; l++) {
            double bi = st.blockInfluence(l, ActivationStats.Block.LAYER);
            assertTrue(bi > 0 && bi < 2, "block influence " + bi);
            assertTrue(st.meanHeadNorm(l, 0) > 0);
        }
    }

    /** Gradients accumulate across batches (nothing zeroes them): one batch of 4 = four batches of 1. */
    @Test
    void gradientOfTheMeanLossDoesNotDependOnBatching() {
        CalibrationSet s = set(4);
        ActivationStats one = StatsCollector.collect(WEIGHTS, s, new StatsOptions(4, true), null);
        ActivationStats four = StatsCollector.collect(WEIGHTS, s, new StatsOptions(1, true), null);
        assertTrue(one.hasGradients());
        assertEquals(one.meanLoss(), four.meanLoss(), 1e-5);
        for (Map.Entry<String, FloatTensor> e : WEIGHTS.tensors().entrySet()) {
            float[] a = one.gradient(e.getKey()).data();
            new Tolerance(1e-6, 1e-3).check("grad " + e.getKey(), Tolerance.toDouble(a),
                    four.gradient(e.getKey()).data());
        }
        double norm = 0;
        for (float g : one.gradient(TensorNames.EMBED).data()) {
            norm += g * g;
        }
        assertTrue(norm > 0, "embedding gradient is zero");
    }

    /** The same hooks over the in-memory forward, batch by batch: the reference of the streamed pass. */
    static ActivationStats inMemory(CalibrationSet s, int batch) {
        ActivationStats st = new ActivationStats(CONFIG);
        StatsHooks hooks = new StatsHooks(st);
        int[][] w = s.calibration();
        try (Transformer t = new Transformer(WEIGHTS)) {
            for (int w0 = 0; w0 < w.length; w0 += batch) {
                int b = Math.min(batch, w.length - w0);
                try (NDManager m = t.manager().newSubManager()) {
                    WindowBatch cut = WindowBatch.of(w, w0, b, s.seqLen());
                    try (NDArray logits = t.forward(cut.inputArray(m), null, hooks);
                         NDArray loss = Losses.tokenNll(logits, cut.targetArray(m)).mean()) {
                        st.addLoss(loss.getFloat());
                    }
                }
                st.addTokens((long) b * s.seqLen());
            }
        }
        return st;
    }

    /**
     * The streamed pass (one layer resident, with gradients or without) gives exactly the numbers of
     * the in-memory forward: every moment, head norm, block influence and the loss.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void streamedStatisticsAreBitIdenticalToTheInMemoryForward(boolean gradients) {
        CalibrationSet s = set(7);
        ActivationStats streamed = StatsCollector.collect(WEIGHTS, s, new StatsOptions(3, gradients), null);
        ActivationStats memory = inMemory(s, 3);
        assertEquals(memory.meanLoss(), streamed.meanLoss());
        assertEquals(memory.tokens(), streamed.tokens());
        for (int l = 0; l < CONFIG.numLayers(); l++) {
            for (Site site : Site.values()) {
                ChannelStats a = memory.channel(l, site);
                ChannelStats b = streamed.channel(l, site);
                assertEquals(a.count(), b.count());
                for (int j = 0; j < a.channels(); j++) {
                    assertEquals(a.mean(j), b.mean(j), "mean " + l + " " + site + " " + j);
                    assertEquals(a.sumSq(j), b.sumSq(j), "sum of squares " + l + " " + site + " " + j);
                    assertEquals(a.meanAbs(j), b.meanAbs(j), "mean |x| " + l + " " + site + " " + j);
                }
            }
            for (int h = 0; h < CONFIG.layer(l).queryHeads(); h++) {
                assertEquals(memory.meanHeadNorm(l, h), streamed.meanHeadNorm(l, h));
            }
            for (ActivationStats.Block b : ActivationStats.Block.values()) {
                assertEquals(memory.blockInfluence(l, b), streamed.blockInfluence(l, b));
            }
        }
    }
}
