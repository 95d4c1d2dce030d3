package prunekit.recover;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import prunekit.core.io.Json;

/**
 * Everything that fixes a training run's arithmetic: steps and batch shape, the AdamW settings,
 * the schedule, clipping, the seed and which parameters train; plus how often to validate and
 * checkpoint. A step sees {@code batch} windows of {@code seq + 1} tokens, split into
 * {@code accumulation} micro-batches whose gradients add up. Built with {@link #builder()}
 * (defaults: the mini-vina recipe of shared/models/mini-vina/training_log.json).
 */
public record TrainRecipe(
        int steps, int batch, int seq, int accumulation,
        double lr, double minLr, int warmup,
        double beta1, double beta2, double eps, double weightDecay, double clip,
        long seed, ParamSelection trainable,
        int evalEvery, int evalWindows, int checkpointEvery, int keepCheckpoints) {

    public TrainRecipe {
        if (steps < 1 || batch < 1 || seq < 1 || accumulation < 1 || batch % accumulation != 0) {
            throw new IllegalArgumentException("need steps, batch, seq >= 1 and a batch (" + batch
                    + ") divisible by the accumulation (" + accumulation + ")");
        }
        if (!(clip >= 0)) {
            throw new IllegalArgumentException("clip must be >= 0 (0 turns clipping off), got " + clip);
        }
        if (evalEvery < 0 || evalWindows < 1 || checkpointEvery < 0 || keepCheckpoints < 1) {
            throw new IllegalArgumentException("eval/checkpoint intervals must be >= 0 (0 = off), eval windows and"
                    + " kept checkpoints >= 1");
        }
        new LrSchedule(lr, minLr, warmup, steps); // both check their settings
        new AdamW.Settings(beta1, beta2, eps, weightDecay);
        if (trainable == null) {
            trainable = ParamSelection.ALL;
        }
    }

    public LrSchedule schedule() {
        return new LrSchedule(lr, minLr, warmup, steps);
    }

    public AdamW.Settings adamW() {
        return new AdamW.Settings(beta1, beta2, eps, weightDecay);
    }

    /** Windows per micro-batch. */
    public int microBatch() {
        return batch / accumulation;
    }

    /** Tokens (targets) per step. */
    public long tokensPerStep() {
        return (long) batch * seq;
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("steps", steps);
        o.addProperty("batch", batch);
        o.addProperty("seq", seq);
        o.addProperty("accumulation", accumulation);
        o.addProperty("lr", lr);
        o.addProperty("min_lr", minLr);
        o.addProperty("warmup", warmup);
        o.addProperty("beta1", beta1);
        o.addProperty("beta2", beta2);
        o.addProperty("eps", eps);
        o.addProperty("weight_decay", weightDecay);
        o.addProperty("clip", clip);
        o.addProperty("seed", seed);
        o.add("trainable_include", Json.tree(trainable.include()));
        o.add("trainable_exclude", Json.tree(trainable.exclude()));
        o.addProperty("eval_every", evalEvery);
        o.addProperty("eval_windows", evalWindows);
        o.addProperty("checkpoint_every", checkpointEvery);
        o.addProperty("keep_checkpoints", keepCheckpoints);
        return o;
    }

    public static TrainRecipe fromJson(JsonObject o) {
        return builder().steps(o.get("steps").getAsInt()).batch(o.get("batch").getAsInt()).seq(o.get("seq").getAsInt())
                .accumulation(o.get("accumulation").getAsInt()).lr(o.get("lr").getAsDouble())
                .minLr(o.get("min_lr").getAsDouble()).warmup(o.get("warmup").getAsInt())
                .beta1(o.get("beta1").getAsDouble()).beta2(o.get("beta2").getAsDouble()).eps(o.get("eps").getAsDouble())
                .weightDecay(o.get("weight_decay").getAsDouble()).clip(o.get("clip").getAsDouble())
                .seed(o.get("seed").getAsLong())
                .trainable(new ParamSelection(list(o.getAsJsonArray("trainable_include")),
                        list(o.getAsJsonArray("trainable_exclude"))))
                .evalEvery(o.get("eval_every").getAsInt()).evalWindows(o.get("eval_windows").getAsInt())
                .checkpointEvery(o.get("checkpoint_every").getAsInt()).keepCheckpoints(o.get("keep_checkpoints").getAsInt())
                .build();
    }

    /**
     * The settings that differ from {@code other} and would change the trained weights (everything
     * but the eval/checkpoint intervals), as "name: this vs other"; empty when a resume is exact.
     */
    public List<String> arithmeticDifferences(TrainRecipe other) {
        JsonObject a = toJson();
        JsonObject b = other.toJson();
        List<String> out = new ArrayList<>();
        for (String k : a.keySet()) {
            if (k.startsWith("eval_") || k.startsWith("checkpoint_") || k.equals("keep_checkpoints")) {
                continue;
            }
            if (!a.get(k).equals(b.get(k))) {
                out.add(k + ": " + a.get(k) + " vs " + b.get(k));
            }
        }
        return out;
    }

    private static List<String> list(JsonArray a) {
        List<String> l = new ArrayList<>();
        a.forEach(e -> l.add(e.getAsString()));
        return l;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.steps = steps; b.batch = batch; b.seq = seq; b.accumulation = accumulation; b.lr = lr; b.minLr = minLr;
        b.warmup = warmup; b.beta1 = beta1; b.beta2 = beta2; b.eps = eps; b.weightDecay = weightDecay; b.clip = clip;
        b.seed = seed; b.trainable = trainable; b.evalEvery = evalEvery; b.evalWindows = evalWindows;
        b.checkpointEvery = checkpointEvery; b.keepCheckpoints = keepCheckpoints;
        return b;
    }

    /** Builder with the defaults of the mini-vina reference recipe. */
    public static final class Builder {
        private int steps = 1000;
        private int batch = 16;
        private int seq = 256;
        private int accumulation = 1;
        private double lr = 2e-3;
        private double minLr = 2e-4;
        private int warmup = 50;
        private double beta1 = 0.9;
        private double beta2 = 0.95;
        private double eps = 1e-8;
        private double weightDecay = 0.1;
        private double clip = 1.0;
        private long seed = 1234;
        private ParamSelection trainable = ParamSelection.ALL;
        private int evalEvery = 100;
        private int evalWindows = 64;
        private int checkpointEvery = 100;
        private int keepCheckpoints = 2;

        public Builder steps(int v) { steps = v; return this; }
        public Builder batch(int v) { batch = v; return this; }
        public Builder seq(int v) { seq = v; return this; }
        public Builder accumulation(int v) { accumulation = v; return this; }
        public Builder lr(double v) { lr = v; return this; }
        public Builder minLr(double v) { minLr = v; return this; }
        public Builder warmup(int v) { warmup = v; return this; }
        public Builder beta1(double v) { beta1 = v; return this; }
        public Builder beta2(double v) { beta2 = v; return this; }
        public Builder eps(double v) { eps = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder clip(double v) { clip = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder trainable(ParamSelection v) { trainable = v; return this; }
        public Builder evalEvery(int v) { evalEvery = v; return this; }
        public Builder evalWindows(int v) { evalWindows = v; return this; }
        public Builder checkpointEvery(int v) { checkpointEvery = v; return this; }
        public Builder keepCheckpoints(int v) { keepCheckpoints = v; return this; }

        public TrainRecipe build() {
            return new TrainRecipe(steps, batch, seq, accumulation, lr, minLr, warmup, beta1, beta2, eps, weightDecay,
                    clip, seed, trainable, evalEvery, evalWindows, checkpointEvery, keepCheckpoints);
        }
    }
}
