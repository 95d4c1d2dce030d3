package prunekit.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import prunekit.calibrate.ActivationStats;
import prunekit.calibrate.CalibrationSet;
import prunekit.calibrate.StatsCollector;
import prunekit.calibrate.StatsOptions;
import prunekit.core.engine.Losses;
import prunekit.core.engine.Transformer;
import prunekit.core.eval.WindowBatch;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.Model;
import prunekit.core.model.TensorNames;
import prunekit.core.model.TensorNames.Proj;
import prunekit.prune.group.CouplingGroup;
import prunekit.prune.group.GroupKind;
import prunekit.prune.group.Slice;
import prunekit.prune.plan.LayerPlan;
import prunekit.prune.plan.PruningPlan;
import prunekit.prune.score.ImportanceScorer;
import prunekit.prune.score.OracleScorer;
import prunekit.prune.score.ScorerEvaluation;
import prunekit.prune.score.ScorerName;
import prunekit.prune.score.ScoringContext;
import prunekit.prune.score.ScoringOptions;
import prunekit.prune.score.SliceScorer;
import prunekit.prune.surgery.Surgery;
import prunekit.prune.surgery.SurgeryOptions;

/** Scorers: additivity over members, the oracle's zeroing equals real removal, Spearman. */
class ScorerTest {
    static final LlamaConfig C = Fixtures.config(2, false);
    static Model model;
    static CalibrationSet set;
    static ScoringContext ctx;

    @BeforeAll
    static void collect() {
        model = Fixtures.model(C, 21);
        set = Fixtures.calibration(4);
        ActivationStats st = StatsCollector.collect(model.weights(), set, new StatsOptions(4, true), null);
        ctx = new ScoringContext(model.weights(), st, set);
    }

    static double score(ImportanceScorer s, GroupKind k, int row, int i) {
        return s.score(k.group(row, i), ctx);
    }

    /** Every additive scorer: KV group = its query heads + its K/V rows; block = its groups; layer = blocks + norms. */
    @ParameterizedTest
    @EnumSource(value = ScorerName.class, names = {"MAGNITUDE", "WANDA", "TAYLOR", "FLUCTUATION", "ACTIVATION"})
    void groupScoreIsTheSumOfItsMembers(ScorerName name) {
        ImportanceScorer s = name.create(ScoringOptions.defaults());
        ImportanceScorer l1 = new prunekit.prune.score.MagnitudeScorer(1);
        for (ImportanceScorer sc : name == ScorerName.MAGNITUDE ? List.of(s, l1) : List.of(s)) {
            for (int l = 0; l < C.numLayers(); l++) {
                double attn = 0;
                for (int kv = 0; kv < 2; kv++) {
                    double heads = score(sc, GroupKind.QUERY_HEAD, l, 2 * kv) + score(sc, GroupKind.QUERY_HEAD, l, 2 * kv + 1);
                    double group = score(sc, GroupKind.KV_GROUP, l, kv);
                    double kvRows = name == ScorerName.ACTIVATION ? 0 : kvRowsScore(sc, l, kv);
                    close(group, heads + kvRows, name + " KV group " + l + "/" + kv);
                    attn += group;
                }
                close(score(sc, GroupKind.ATTENTION_BLOCK, l, 0), attn, name + " attention block " + l);
                double mlp = 0;
                for (int j = 0; j < C.layer(l).ffn(); j++) {
                    mlp += score(sc, GroupKind.MLP_CHANNEL, l, j);
                }
                close(score(sc, GroupKind.MLP_BLOCK, l, 0), mlp, name + " MLP block " + l);
                double norms = name == ScorerName.ACTIVATION ? 0 : normsScore(sc, l);
                close(score(sc, GroupKind.LAYER, l, 0), attn + mlp + norms, name + " layer " + l);
            }
            if (sc instanceof prunekit.prune.score.MagnitudeScorer m) {
                CouplingGroup hc = new CouplingGroup.HiddenChannel(5);
                double slices = hc.slices(C).stream().mapToDouble(x -> m.scoreSlice(x, ctx)).sum();
                close(m.score(hc, ctx), slices, "hidden channel");
            }
        }
    }

    private static double kvRowsScore(ImportanceScorer sc, int l, int kv) {
        double sum = 0;
        for (Proj p : new Proj[] {Proj.K, Proj.V}) {
            Slice s = new Slice(TensorNames.weight(l, p), l, p, Slice.Axis.ROW, kv * C.headDim(), C.headDim());
            sum += sliceScore(sc, s);
        }
        return sum;
    }

    private static double normsScore(ImportanceScorer sc, int l) {
        return sliceScore(sc, new Slice(TensorNames.inputNorm(l), l, null, Slice.Axis.ELEMENT, 0, C.hidden()))
                + sliceScore(sc, new Slice(TensorNames.postAttentionNorm(l), l, null, Slice.Axis.ELEMENT, 0, C.hidden()));
    }

    private static double sliceScore(ImportanceScorer sc, Slice s) {
        return ((SliceScorer) sc).scoreSlice(s, ctx);
    }

    private static void close(double actual, double expected, String what) {
        assertEquals(expected, actual, 1e-9 + 1e-9 * Math.abs(expected), what);
    }

    /** Zeroing a channel's down column in place measures exactly the loss of the model with it cut out. */
    @Test
    void oracleZeroingEqualsRealRemoval() {
        OracleScorer oracle = new OracleScorer(2, 16);
        int layer = 1;
        int channel = 9;
        double score = oracle.score(new CouplingGroup.MlpChannel(layer, channel), ctx);
        List<LayerPlan> ls = new ArrayList<>(PruningPlan.identity(C).layers());
        LayerPlan p = ls.get(layer);
        ls.set(layer, new LayerPlan(layer, false, p.kvHeads(), p.queryHeads(),
                IntStream.range(0, C.layer(layer).ffn()).filter(j -> j != channel).toArray()));
        Model cut = Surgery.apply(model, new PruningPlan("t", "t", PruningPlan.range(C.hidden()), ls),
                SurgeryOptions.plain());
        double expected = heldOutLoss(cut) - heldOutLoss(model);
        assertEquals(expected, score, 2e-6, "oracle score vs loss of the model with the channel cut out");
        double[][] heads = oracle.scoreAll(GroupKind.KV_GROUP, ctx);
        assertEquals(C.numLayers(), heads.length);
        assertTrue(heads[0][0] != 0, "removing a KV group of a random model changes its loss");
    }

    /** A hidden channel's oracle score is the loss increase of the model with the channel cut from every tensor by hand. */
    @Test
    void oracleOfAHiddenChannelIsTheLossOfTheModelWithoutIt() {
        int channel = 5;
        int[] keep = IntStream.range(0, C.hidden()).filter(j -> j != channel).toArray();
        java.util.Map<String, prunekit.core.model.FloatTensor> cut = new java.util.LinkedHashMap<>();
        model.weights().tensors().forEach((name, t) -> {
            boolean outputRows = name.endsWith("o_proj.weight") || name.endsWith("down_proj.weight");
            cut.put(name, t.rank() == 1 ? t.selectElements(keep) : outputRows ? t.selectRows(keep) : t.selectColumns(keep));
        });
        LlamaConfig nc = C.toBuilder().hidden(C.hidden() - 1).build();
        Model without = new Model(nc, new prunekit.core.model.LlamaWeights(nc, cut, model.weights().storedDtype()), null,
                "by hand");
        double expected = heldOutLoss(without) - heldOutLoss(model);
        assertEquals(expected, new OracleScorer(2, 16).score(new CouplingGroup.HiddenChannel(channel), ctx), 2e-6);
        assertTrue(expected != 0, "removing a hidden channel of a random model changes its loss");
    }

    /** A head whose o_proj columns are already zero has oracle score exactly 0. */
    @Test
    void oracleOfAHeadWithZeroOutputIsZero() {
        Model z = SurgeryTest.zeroColumns(model, TensorNames.weight(0, Proj.O), 0, C.headDim());
        ScoringContext zc = new ScoringContext(z.weights(), ctx.stats(), set);
        assertEquals(0.0, new OracleScorer(2, 16).score(new CouplingGroup.QueryHead(0, 0), zc));
    }

    private static double heldOutLoss(Model m) {
        WindowBatch cut = WindowBatch.of(set.heldOut(), 0, 2, 16);
        try (Transformer t = new Transformer(m.weights()); NDManager nm = t.manager().newSubManager()) {
            NDArray ids = cut.inputArray(nm);
            NDArray targets = cut.targetArray(nm);
            try (NDArray logits = t.forward(ids, null, null)) {
                return Losses.tokenNll(logits, targets).mean().getFloat();
            }
        }
    }

    @Test
    void blockInfluenceScoresOnlyBlocks() {
        ImportanceScorer bi = ScorerName.BLOCK_INFLUENCE.create(ScoringOptions.defaults());
        assertTrue(bi.supports(GroupKind.LAYER) && !bi.supports(GroupKind.MLP_CHANNEL));
        assertThrows(IllegalArgumentException.class, () -> bi.scoreAll(GroupKind.MLP_CHANNEL, ctx));
        double[][] layers = bi.scoreAll(GroupKind.LAYER, ctx);
        for (double[] r : layers) {
            assertTrue(r[0] > 0 && r[0] < 2);
        }
    }

    @Test
    void spearmanOfKnownRankings() {
        assertEquals(1.0, ScorerEvaluation.spearman(new double[] {1, 2, 3, 4}, new double[] {10, 20, 30, 400}), 1e-12);
        assertEquals(-1.0, ScorerEvaluation.spearman(new double[] {1, 2, 3}, new double[] {3, 2, 1}), 1e-12);
        // ranks (1, 2.5, 2.5, 4) vs (1, 2, 3, 4): r = 0.9486832980505138
        assertEquals(0.9486832980505138, ScorerEvaluation.spearman(new double[] {1, 2, 2, 3}, new double[] {1, 2, 3, 4}),
                1e-12);
        assertTrue(Double.isNaN(ScorerEvaluation.spearman(new double[] {1, 1}, new double[] {1, 2})));
    }

    @Test
    void unknownScorerNamesTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScorerName.parse("snip"));
        for (ScorerName n : ScorerName.values()) {
            assertTrue(e.getMessage().contains(n.id()), e.getMessage() + " lacks " + n.id());
            assertEquals(n, ScorerName.parse(n.id()));
            assertEquals(n, ScorerName.parse(" " + n.name() + " "), "enum names and underscores parse too");
        }
    }
}
