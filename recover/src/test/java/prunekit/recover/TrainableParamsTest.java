package prunekit.recover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.api.Test;
import prunekit.core.engine.Engines;
import prunekit.core.engine.Params;

/** Gradient zeroing, global norm, clipping by scaling, and parameter selection. */
class TrainableParamsTest {

    /** Gives every trainable array the gradient d/dp Σ c·p² = 2·c·p. */
    private static void quadraticGradients(TrainableParams t, double c) {
        try (NDScope scope = new NDScope(); GradientCollector gc = Engines.pytorch().newGradientCollector()) {
            scope.suppressNotUsedWarning();
            NDArray total = null;
            for (String n : t.names()) {
                NDArray term = t.get(n).square().sum();
                total = total == null ? term : total.add(term);
            }
            try (NDArray scale = t.params().manager().full(new ai.djl.ndarray.types.Shape(), (float) c)) {
                gc.backward(total.mul(scale));
            }
        }
    }

    private static double referenceNorm(TrainableParams t, double c) {
        double s = 0;
        for (String n : t.names()) {
            for (float p : t.get(n).toFloatArray()) {
                double g = 2 * c * p;
                s += g * g;
            }
        }
        return Math.sqrt(s);
    }

    @Test
    void globalNormAndClippingMatchAPlainReference() {
        try (Params params = new Params(TrainRuns.initial())) {
            TrainableParams t = new TrainableParams(params, ParamSelection.regex(".*mlp.*", "lm_head.weight"));
            t.zeroGradients();
            quadraticGradients(t, 3.0);
            TrainableParams.GradientStats st = t.gradientStats();
            double ref = referenceNorm(t, 3.0);
            assertTrue(st.finite());
            assertEquals(ref, st.norm(), 1e-5 * ref);
            double clip = 0.5;
            t.scaleGradients(clip / st.norm());
            assertEquals(clip, t.gradientStats().norm(), 1e-5);
        }
    }

    @Test
    void zeroingClearsInfAndNaNWhereDjlsOwnZeroGradientsDoesNot() {
        try (Params params = new Params(TrainRuns.initial())) {
            TrainableParams t = new TrainableParams(params, ParamSelection.regex("model\\.norm\\.weight"));
            quadraticGradients(t, 1.0);
            NDArray p = t.get("model.norm.weight");
            try (NDArray g = p.getGradient()) {
                g.set(new NDIndex(0), Float.POSITIVE_INFINITY);
            }
            assertFalse(t.gradientStats().finite(), "an inf gradient is detected");
            // DJL's GradientCollector.zeroGradients() computes g - g: inf - inf = NaN, for good
            try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                gc.zeroGradients();
            }
            try (NDArray g = p.getGradient()) {
                assertTrue(Float.isNaN(g.toFloatArray()[0]), "the DJL trap this class avoids");
            }
            t.zeroGradients();
            t.forEachGradient((name, a, g) -> {
                for (float x : g.toFloatArray()) {
                    assertEquals(0f, x);
                }
            });
            assertEquals(0.0, t.gradientStats().norm());
            quadraticGradients(t, 1.0);
            assertEquals(referenceNorm(t, 1.0), t.gradientStats().norm(), 1e-5, "no accumulation across steps");
        }
    }

    @Test
    void selectionPicksNamesOrRegexesAndRejectsAnEmptyMatch() {
        try (Params params = new Params(TrainRuns.initial())) {
            TrainableParams q = new TrainableParams(params, ParamSelection.names(
                    List.of("model.layers.1.self_attn.q_proj.weight", "lm_head.weight")));
            assertEquals(List.of("model.layers.1.self_attn.q_proj.weight", "lm_head.weight"), q.names());
            assertEquals(16L * 16 + 32L * 16, q.count());
            assertFalse(params.get("model.embed_tokens.weight").hasGradient());
        }
        ParamSelection noNorms = ParamSelection.ALL.freezing(".*norm.*");
        assertTrue(noNorms.matches("model.layers.0.mlp.up_proj.weight"));
        assertFalse(noNorms.matches("model.layers.0.input_layernorm.weight"));
        assertThrows(IllegalArgumentException.class,
                () -> ParamSelection.regex("nothing.*").select(java.util.Set.of("model.norm.weight")));
        assertThrows(IllegalArgumentException.class, () -> ParamSelection.regex("(unclosed"));
    }
}
