package prunekit.recover;

import ai.djl.ndarray.NDArray;

/**
 * The teacher's distribution at temperature T cut to its k most likely tokens per position:
 * {@code indices} (B, T, k) int64, their log-probabilities {@code logProbs} (B, T, k) and the mass
 * of all other tokens {@code restMass} (B, T, 1) = 1 − Σ exp(logProbs), kept as one extra bucket.
 */
public record TopKTargets(NDArray indices, NDArray logProbs, NDArray restMass) {
}
