package prunekit.prune.score;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import prunekit.calibrate.CalibrationSet;
import prunekit.calibrate.WindowLoss;
import prunekit.core.engine.Params;
import prunekit.core.engine.Transformer;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.TensorNames.Proj;
import prunekit.prune.group.CouplingGroup;
import prunekit.prune.group.Cut;
import prunekit.prune.group.GroupKind;
import prunekit.prune.group.ModelTensors;
import prunekit.prune.group.Slice;

/**
 * The oracle: the measured increase of the held-out loss when the group alone is removed, on a
 * fixed small batch (the first {@code sequences} held-out windows, their first {@code seqLen}
 * tokens). Heads, KV groups, MLP channels and blocks are removed by zeroing their output weights
 * (o_proj / down_proj columns, and the output bias for a whole block), which gives exactly the
 * function of the model with the group cut out; the zeroed columns are written into the live
 * arrays and restored after each measurement. A hidden channel cannot be zeroed equivalently
 * (RMSNorm averages over it), so its slices are cut out for real ({@link Cut}). The reference every
 * other scorer is judged against (Molchanov et al., "Importance Estimation for Neural Network
 * Pruning", CVPR 2019, call it the "oracle" ranking); it costs one forward per group.
 */
public final class OracleScorer implements ImportanceScorer {
    private final int sequences;
    private final int seqLen;
    private Probe probe; // the open probe while scoreAll runs, so every group reuses one model and batch

    public OracleScorer(int sequences, int seqLen) {
        this.sequences = sequences;
        this.seqLen = seqLen;
    }

    @Override
    public ScorerName name() {
        return ScorerName.ORACLE;
    }

    @Override
    public double[][] scoreAll(GroupKind kind, ScoringContext ctx) {
        try (Probe p = new Probe(ctx)) {
            probe = p;
            return ImportanceScorer.super.scoreAll(kind, ctx);
        } finally {
            probe = null;
        }
    }

    @Override
    public double score(CouplingGroup group, ScoringContext ctx) {
        if (probe != null) {
            return probe.lossWithout(group) - probe.base;
        }
        try (Probe p = new Probe(ctx)) {
            return p.lossWithout(group) - p.base;
        }
    }

    /** The model's arrays, the fixed batch and the dense loss on it. */
    private final class Probe implements AutoCloseable {
        private final LlamaWeights weights;
        private final Transformer model;
        private final int[][] windows; // (batch, seqLen+1) held-out windows
        private final int len;
        final double base;

        Probe(ScoringContext ctx) {
            this.weights = ctx.weights().readAll();
            CalibrationSet set = ctx.calibration();
            int[][] held = set.heldOut().length > 0 ? set.heldOut() : set.calibration();
            windows = java.util.Arrays.copyOf(held, Math.min(sequences, held.length));
            len = Math.min(seqLen, set.seqLen());
            model = new Transformer(weights);
            base = loss(model);
        }

        double loss(Transformer t) {
            return WindowLoss.meanNll(t, windows, len, windows.length);
        }

        double lossWithout(CouplingGroup g) {
            if (g.kind() == GroupKind.HIDDEN_CHANNEL) {
                return lossWithoutHidden(g.index());
            }
            Map<String, float[]> saved = new HashMap<>();
            Params params = model.params();
            try {
                for (Slice s : outputSlices(g, weights.config())) {
                    FloatTensor t = weights.getOrNull(s.tensor());
                    if (t == null) {
                        continue; // the bias of a block in a model without biases
                    }
                    saved.put(s.tensor(), t.data());
                    params.get(s.tensor()).set(zeroed(t, s));
                }
                return loss(model);
            } finally {
                saved.forEach((name, data) -> params.get(name).set(data));
            }
        }

        /** A hidden channel is cut out for real: its slices, removed from every tensor. */
        private double lossWithoutHidden(int channel) {
            LlamaWeights w = weights;
            LlamaWeights cut = ModelTensors.of(w.config()).cut(List.of(new CouplingGroup.HiddenChannel(channel)))
                    .apply(w.tensors(), w.storedDtype());
            try (Transformer t = new Transformer(cut)) {
                return loss(t);
            }
        }

        @Override
        public void close() {
            model.close();
        }
    }

    /** The output-side slices whose zeroing removes {@code g}'s contribution exactly. */
    static List<Slice> outputSlices(CouplingGroup g, LlamaConfig c) {
        List<Slice> out = new ArrayList<>();
        for (Slice s : g.slices(c)) {
            boolean output = s.proj() == Proj.O || s.proj() == Proj.DOWN;
            boolean column = s.axis() == Slice.Axis.COLUMN;
            boolean blockBias = g.kind().isBlock() && s.axis() == Slice.Axis.ELEMENT;
            if (output && (column || blockBias)) {
                out.add(s); // o/down columns of a head, channel or block; the o/down bias of a whole block
            }
        }
        return out;
    }

    private static float[] zeroed(FloatTensor t, Slice s) {
        float[] d = t.data().clone();
        s.sum(t, (w, flat, in) -> d[flat] = 0); // visits every element of the slice
        return d;
    }
}
