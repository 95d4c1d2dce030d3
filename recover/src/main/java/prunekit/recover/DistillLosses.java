package prunekit.recover;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * The distillation terms of recovery, on arrays with autograd history on the student side and
 * none on the teacher side. Every constant on the autograd path is a PyTorch-allocated scalar,
 * never a Java number (see {@code Transformer.nativeConstant} in core for why).
 *
 * <p>Full KD: T² · mean over positions of KL(p ‖ q) = Σ_v p_v (log p_v − log q_v) with
 * p = softmax(teacher / T), q = softmax(student / T) (Hinton et al.; the T² keeps gradient
 * magnitudes comparable across temperatures).
 *
 * <p>Top-k KD (teacher cached to disk): the vocabulary is coarsened into the teacher's k tokens
 * plus one bucket for everything else, p_rest = 1 − Σ_k p_k and q_rest = 1 − Σ_k q_k, and the KL
 * is taken between these k + 1 bucket distributions. By the data-processing inequality this is a
 * lower bound of the full KL, exact when the teacher's rest mass is zero; its gradient pushes the
 * student's top-k probabilities to the teacher's and its total mass outside them to p_rest, but
 * does not shape the student's distribution inside the rest.
 */
public final class DistillLosses {
    /** Below this the student's rest mass is clamped before its log (its gradient is then zero). */
    static final double MIN_REST = 1e-12;

    private DistillLosses() {
    }

    /** Full KD: student, teacher (B, T, V) logits → 0-dim loss. */
    public static NDArray kl(NDArray student, NDArray teacher, double temperature) {
        NDArray invT = scalar(student, 1.0 / temperature);
        NDArray logq = student.mul(invT).logSoftmax(-1); // (B, T, V)
        NDArray logp = teacher.mul(invT).logSoftmax(-1);
        NDArray perPosition = logp.exp().mul(logp.sub(logq)).sum(new int[] {-1}); // (B, T)
        return perPosition.mean().mul(scalar(student, temperature * temperature));
    }

    /** Top-k KD against the teacher's k + 1 buckets: student (B, T, V) logits → 0-dim loss. */
    public static NDArray klTopK(NDArray student, TopKTargets teacher, double temperature) {
        NDArray invT = scalar(student, 1.0 / temperature);
        NDArray logq = student.mul(invT).logSoftmax(-1); // (B, T, V)
        NDArray logqK = logq.gather(teacher.indices(), -1); // (B, T, k)
        NDArray qRest = scalar(student, 1).sub(logqK.exp().sum(new int[] {-1}, true)).clip(MIN_REST, 1.0); // (B, T, 1)
        NDArray logpK = teacher.logProbs();
        NDArray pRest = teacher.restMass();
        NDArray top = logpK.exp().mul(logpK.sub(logqK)).sum(new int[] {-1}); // (B, T)
        NDArray logpRest = pRest.clip(MIN_REST, 1.0).log();
        NDArray rest = pRest.mul(logpRest.sub(qRest.log())).squeeze(-1); // (B, T); 0 where p_rest = 0
        return top.add(rest).mean().mul(scalar(student, temperature * temperature));
    }

    /**
     * Relative MSE of hidden states: mean((s − t)²) / mean(t²) over (B, T, hidden), so the term
     * does not depend on the scale of the residual stream.
     */
    public static NDArray hiddenMse(NDArray student, NDArray teacher) {
        if (!student.getShape().equals(teacher.getShape())) {
            throw new IllegalArgumentException("hidden states differ in shape: student " + student.getShape()
                    + ", teacher " + teacher.getShape() + " (hidden-state matching needs the same hidden size)");
        }
        return student.sub(teacher).square().mean().div(teacher.square().mean());
    }

    /** A 0-dim constant of {@code like}'s dtype in memory PyTorch allocated. */
    static NDArray scalar(NDArray like, double value) {
        return like.getManager().full(new Shape(), (float) value, like.getDataType());
    }
}
