package prunekit.recover;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import prunekit.core.engine.Engines;
import prunekit.core.engine.Losses;
import prunekit.core.engine.Transformer;

/**
 * One optimizer step: zero the gradients, forward and backward over each micro-batch of the step's
 * windows (loss = mean token NLL, divided by the number of micro-batches so gradients add up to
 * the full batch's), check that loss and gradients are finite, clip by global norm, apply AdamW.
 * A non-finite step changes nothing: no update is applied and the next step zeroes the gradients.
 * Every array a step creates is closed before it returns. Nothing on the autograd path is
 * multiplied by a Java number (see {@code Transformer.nativeConstant} in core for why).
 */
final class TrainStep {
    /** What a step did. {@code skipReason} is null for an applied update. */
    record Outcome(double loss, double gradNorm, String skipReason) {
        boolean skipped() {
            return skipReason != null;
        }
    }

    private final Transformer model;
    private final TrainableParams params;
    private final AdamW optimizer;
    private final TrainRecipe recipe;
    private final WindowSampler sampler;
    private final FaultInjector faults;

    TrainStep(Transformer model, TrainableParams params, AdamW optimizer, TrainRecipe recipe, WindowSampler sampler,
              FaultInjector faults) {
        this.model = model;
        this.params = params;
        this.optimizer = optimizer;
        this.recipe = recipe;
        this.sampler = sampler;
        this.faults = faults;
    }

    Outcome run(int step, double lr) {
        params.zeroGradients();
        int[][] windows = sampler.windows(step, recipe.batch()); // (batch, seq + 1)
        int mb = recipe.microBatch();
        double loss = 0;
        for (int micro = 0; micro < recipe.accumulation(); micro++) {
            loss += forwardBackward(step, windows, micro * mb, mb);
        }
        if (!Double.isFinite(loss)) {
            return new Outcome(loss, Double.NaN, "non-finite loss " + loss);
        }
        faults.gradients(step, params);
        TrainableParams.GradientStats g = params.gradientStats();
        if (!g.finite()) {
            return new Outcome(loss, g.norm(), "non-finite gradient (global norm " + g.norm() + ")");
        }
        if (recipe.clip() > 0 && g.norm() > recipe.clip()) {
            params.scaleGradients(recipe.clip() / (g.norm() + 1e-6)); // as torch.nn.utils.clip_grad_norm_
        }
        optimizer.step(params, lr);
        return new Outcome(loss, g.norm(), null);
    }

    /** Forward and backward of windows[from .. from + rows); returns this micro-batch's share of the loss. */
    private double forwardBackward(int step, int[][] windows, int from, int rows) {
        int seq = recipe.seq();
        long[] in = new long[rows * seq];
        long[] tg = new long[rows * seq];
        for (int r = 0; r < rows; r++) {
            int[] w = windows[from + r];
            for (int j = 0; j < seq; j++) {
                in[r * seq + j] = w[j];
                tg[r * seq + j] = w[j + 1];
            }
        }
        try (NDManager m = params.params().manager().newSubManager(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray ids = m.create(in, new Shape(rows, seq));
            NDArray targets = m.create(tg, new Shape(rows, seq));
            try (GradientCollector gc = Engines.pytorch().newGradientCollector();
                 NDArray logits = model.forward(ids, null, null)) { // (rows, seq, vocab)
                NDArray loss = Losses.tokenNll(logits, targets).mean();
                if (recipe.accumulation() > 1) {
                    // a PyTorch-allocated scalar: loss.div(Number) would leave autograd a freed Java buffer
                    NDArray share = m.full(new Shape(), (float) (1.0 / recipe.accumulation()), loss.getDataType());
                    loss = loss.mul(share);
                }
                loss = faults.loss(step, loss);
                gc.backward(loss);
                return TrainableParams.scalar(loss);
            }
        }
    }
}
