package prunekit.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import prunekit.calibrate.ActivationStats;
import prunekit.calibrate.ActivationStats.Block;
import prunekit.calibrate.HandStats;
import prunekit.core.engine.ForwardHooks.Site;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.TensorNames;
import prunekit.core.model.TensorNames.Proj;
import prunekit.prune.group.CouplingGroup;
import prunekit.prune.group.CouplingGroup.AttentionBlock;
import prunekit.prune.group.CouplingGroup.HiddenChannel;
import prunekit.prune.group.CouplingGroup.KvGroup;
import prunekit.prune.group.CouplingGroup.Layer;
import prunekit.prune.group.CouplingGroup.MlpBlock;
import prunekit.prune.group.CouplingGroup.MlpChannel;
import prunekit.prune.group.CouplingGroup.QueryHead;
import prunekit.prune.score.ActivationScorer;
import prunekit.prune.score.BlockInfluenceScorer;
import prunekit.prune.score.FluctuationScorer;
import prunekit.prune.score.ImportanceScorer;
import prunekit.prune.score.MagnitudeScorer;
import prunekit.prune.score.ScoringContext;
import prunekit.prune.score.TaylorScorer;
import prunekit.prune.score.WandaScorer;

/**
 * Every statistics scorer against its paper's formula on a hand-made example: one layer, hidden 2,
 * two query heads of dim 2 in one KV group, FFN 2, small integer weights and statistics over 4
 * tokens. The expected numbers are worked out in the comments.
 */
class ScorerFormulaTest {
    static final LlamaConfig C = LlamaConfig.builder().vocabSize(3).hidden(2).headDim(2)
            .uniformLayers(1, new LayerShape(2, 1, 2)).maxPositions(8).build();

    // weights (out, in), row-major
    static final float[] Q = {1, 0, 0, 1, 2, -1, 1, 1};        // (4, 2): head 0 rows 0-1, head 1 rows 2-3
    static final float[] O = {1, 2, 0, 1, -1, 0, 3, 1};        // (2, 4): head 0 columns 0-1, head 1 columns 2-3
    static final float[] GATE = {1, -2, 3, 0};                  // (2, 2)
    static final float[] UP = {0, 1, -1, 2};                    // (2, 2)
    static final float[] DOWN = {2, 1, -1, 0};                  // (2, 2): channel j is column j

    static LlamaWeights weights() {
        Map<String, FloatTensor> m = new LinkedHashMap<>();
        m.put(TensorNames.EMBED, new FloatTensor(new int[] {3, 2}, new float[] {1, 2, 3, 4, 5, 6}));
        m.put(TensorNames.inputNorm(0), new FloatTensor(new int[] {2}, new float[] {1, 1}));
        m.put(TensorNames.weight(0, Proj.Q), new FloatTensor(new int[] {4, 2}, Q));
        m.put(TensorNames.weight(0, Proj.K), new FloatTensor(new int[] {2, 2}, new float[] {1, 1, 0, 2}));
        m.put(TensorNames.weight(0, Proj.V), new FloatTensor(new int[] {2, 2}, new float[] {0, 1, 1, 0}));
        m.put(TensorNames.weight(0, Proj.O), new FloatTensor(new int[] {2, 4}, O));
        m.put(TensorNames.postAttentionNorm(0), new FloatTensor(new int[] {2}, new float[] {1, 1}));
        m.put(TensorNames.weight(0, Proj.GATE), new FloatTensor(new int[] {2, 2}, GATE));
        m.put(TensorNames.weight(0, Proj.UP), new FloatTensor(new int[] {2, 2}, UP));
        m.put(TensorNames.weight(0, Proj.DOWN), new FloatTensor(new int[] {2, 2}, DOWN));
        m.put(TensorNames.FINAL_NORM, new FloatTensor(new int[] {2}, new float[] {1, 1}));
        m.put(TensorNames.LM_HEAD, new FloatTensor(new int[] {3, 2}, new float[] {1, 0, 0, 1, 1, 1}));
        return new LlamaWeights(C, m, DType.F32);
    }

    /**
     * Over 4 tokens: attention input ‖x‖ = (1, 2), Σ|x| = (2, 4); o_proj input ‖x‖ = (2, 2, 4, 4),
     * mean (0, 0, 1, 1), Var = E[x²] − mean² = (1, 1, 3, 3); MLP input ‖x‖ = (2, 3), Σ|x| = (4, 8);
     * down_proj input ‖x‖ = (4, 6), mean (1, 2), Var = (4 − 1, 9 − 4) = (3, 5), mean |x| = (1.5, 2);
     * head norms Σ = (2, 6); block influence Σ: attention 0.4, MLP 0.6, layer 0.8.
     */
    static ActivationStats stats() {
        Map<String, FloatTensor> g = new LinkedHashMap<>();
        g.put(TensorNames.weight(0, Proj.GATE), new FloatTensor(new int[] {2, 2}, new float[] {1, 1, 1, 1}));
        g.put(TensorNames.weight(0, Proj.UP), new FloatTensor(new int[] {2, 2}, new float[] {2, 2, 2, 2}));
        g.put(TensorNames.weight(0, Proj.DOWN), new FloatTensor(new int[] {2, 2}, new float[] {1, 0.5f, -1, 1}));
        return new HandStats(C, 4)
                .channel(0, Site.ATTN_INPUT, new double[] {0, 0}, new double[] {1, 4}, new double[] {2, 4})
                .channel(0, Site.O_PROJ_INPUT, new double[] {0, 0, 4, 4}, new double[] {4, 4, 16, 16},
                        new double[] {4, 4, 8, 8})
                .channel(0, Site.MLP_INPUT, new double[] {0, 0}, new double[] {4, 9}, new double[] {4, 8})
                .channel(0, Site.DOWN_PROJ_INPUT, new double[] {4, 8}, new double[] {16, 36}, new double[] {6, 8})
                .headNorms(0, 2, 6)
                .influence(0, Block.ATTENTION, 0.4).influence(0, Block.MLP, 0.6).influence(0, Block.LAYER, 0.8)
                .gradients(g).build();
    }

    static final ScoringContext CTX = new ScoringContext(weights(), stats(), null);

    static void check(ImportanceScorer s, CouplingGroup g, double expected) {
        assertEquals(expected, s.score(g, CTX), 1e-9, s.name() + " " + g);
    }

    /** L2: Σw² over gate/up rows and the down column; L1: Σ|w|. Heads: q rows and o columns. */
    @Test
    void magnitudeIsTheGroupsWeightNorm() {
        MagnitudeScorer l2 = new MagnitudeScorer(2);
        check(l2, new MlpChannel(0, 0), (1 + 4) + (0 + 1) + (4 + 1));   // 11
        check(l2, new MlpChannel(0, 1), (9 + 0) + (1 + 4) + (1 + 0));   // 15
        check(l2, new QueryHead(0, 0), (1 + 0 + 0 + 1) + (1 + 4 + 1 + 0)); // 8
        check(l2, new QueryHead(0, 1), (4 + 1 + 1 + 1) + (0 + 1 + 9 + 1)); // 18
        check(new MagnitudeScorer(1), new MlpChannel(0, 0), 3 + 1 + 3);    // 7
    }

    /** Wanda-sp: Σ|W_ij|·‖X_j‖ over every weight of the group, X_j the input the weight multiplies. */
    @Test
    void wandaIsWeightTimesInputNorm() {
        WandaScorer w = new WandaScorer();
        // gate row 0: 1·2 + 2·3 = 8; up row 0: 0·2 + 1·3 = 3; down column 0: (2 + 1)·4 = 12
        check(w, new MlpChannel(0, 0), 8 + 3 + 12);
        // gate row 1: 3·2 = 6; up row 1: 1·2 + 2·3 = 8; down column 1: (1 + 0)·6 = 6
        check(w, new MlpChannel(0, 1), 6 + 8 + 6);
        // q rows 0-1: 1·1 + 1·2 = 3; o columns 0-1: (1 + 1)·2 + (2 + 0)·2 = 8
        check(w, new QueryHead(0, 0), 3 + 8);
        // q rows 2-3: 2·1 + 1·2 + 1·1 + 1·2 = 7; o columns 2-3: (0 + 3)·4 + (1 + 1)·4 = 20
        check(w, new QueryHead(0, 1), 7 + 20);
    }

    /** FLAP: Σ over the group's input columns j of Var(X_j)·‖W[:, j]‖² (rows add nothing). */
    @Test
    void fluctuationIsInputVarianceTimesColumnNorm() {
        FluctuationScorer f = new FluctuationScorer();
        check(f, new MlpChannel(0, 0), 3 * (4 + 1));                  // 15
        check(f, new MlpChannel(0, 1), 5 * (1 + 0));                  // 5
        check(f, new QueryHead(0, 0), 1 * (1 + 1) + 1 * (4 + 0));     // 6
        check(f, new QueryHead(0, 1), 3 * (0 + 9) + 3 * (1 + 1));     // 33
        check(f, new MlpBlock(0), 15 + 5);
    }

    /** First-order LLM-Pruner: Σ|w · ∂L/∂w| over the group's weights. */
    @Test
    void taylorIsWeightTimesGradient() {
        TaylorScorer t = new TaylorScorer();
        // gate row 0: |1·1| + |−2·1| = 3; up row 0: 0 + |1·2| = 2; down column 0: |2·1| + |−1·−1| = 3
        check(t, new MlpChannel(0, 0), 3 + 2 + 3);
        // gate row 1: |3·1| = 3; up row 1: |−1·2| + |2·2| = 6; down column 1: |1·0.5| + 0 = 0.5
        check(t, new MlpChannel(0, 1), 3 + 6 + 0.5);
    }

    /** Minitron: mean output magnitude; heads by their mean output norm, channels by mean |activation|. */
    @Test
    void activationIsMeanOutputMagnitude() {
        ActivationScorer a = new ActivationScorer();
        check(a, new QueryHead(0, 0), 2.0 / 4);
        check(a, new QueryHead(0, 1), 6.0 / 4);
        check(a, new KvGroup(0, 0), 8.0 / 4);
        check(a, new MlpChannel(0, 0), 1.5);
        check(a, new MlpChannel(0, 1), 2.0);
        check(a, new AttentionBlock(0), 2.0);
        check(a, new MlpBlock(0), 3.5);
        check(a, new Layer(0), 5.5);
        // hidden channel: mean |x| at the outputs of both norms (attention input + MLP input)
        check(a, new HiddenChannel(0), 2.0 / 4 + 4.0 / 4);   // 0.5 + 1
        check(a, new HiddenChannel(1), 4.0 / 4 + 8.0 / 4);   // 1 + 2
    }

    /** ShortGPT: mean over tokens of 1 − cos(h_in, h_out) across the block. */
    @Test
    void blockInfluenceIsMeanCosineDistance() {
        BlockInfluenceScorer b = new BlockInfluenceScorer();
        for (Object[] e : List.of(new Object[] {new AttentionBlock(0), 0.1}, new Object[] {new MlpBlock(0), 0.15},
                new Object[] {new Layer(0), 0.2})) {
            check(b, (CouplingGroup) e[0], (double) e[1]);
        }
    }
}
