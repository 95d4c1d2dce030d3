package prunekit.recover;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import prunekit.core.TestModels;
import prunekit.core.engine.Engines;
import prunekit.core.engine.Losses;
import prunekit.core.engine.Params;
import prunekit.core.engine.Tolerance;
import prunekit.core.engine.Transformer;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;

/**
 * Backward through our forward is checked against central finite differences of the same loss in
 * float64: every element of every tensor of a tiny model that has every parameter kind must agree
 * within 1e-9 + 1e-6·|numeric| (the finite difference's own error is ~1e-11).
 */
class GradientCheckTest {
    private static final double H = 1e-5;
    private static final Tolerance GRADIENT = new Tolerance(1e-9, 1e-6);

    @Test
    void analyticGradientsMatchFiniteDifferencesForEveryParameterKind() {
        LlamaConfig config = TinyModels.everyKind();
        LlamaWeights w = TestModels.random(config, 5, 0.3);
        int[] stream = TinyModels.randomStream(12, config.vocabSize(), 3);
        long[] in = new long[2 * 5];
        long[] tg = new long[2 * 5];
        for (int r = 0; r < 2; r++) {
            for (int j = 0; j < 5; j++) {
                in[r * 5 + j] = stream[r * 6 + j];
                tg[r * 5 + j] = stream[r * 6 + j + 1];
            }
        }
        try (Params params = new Params(w, DataType.FLOAT64); Transformer model = new Transformer(params);
             NDManager m = params.manager().newSubManager()) {
            NDArray ids = m.create(in, new Shape(2, 5));
            NDArray targets = m.create(tg, new Shape(2, 5));
            TrainableParams trainable = new TrainableParams(params, ParamSelection.ALL);
            Map<String, double[]> analytic = analyticGradients(model, trainable, ids, targets);
            assertEquals(config.parameterCount(),
                    analytic.values().stream().mapToLong(g -> g.length).sum(), "a gradient for every parameter");
            for (Map.Entry<String, double[]> e : analytic.entrySet()) {
                NDArray p = params.get(e.getKey());
                double[] numeric = new double[e.getValue().length];
                for (int i = 0; i < numeric.length; i++) {
                    numeric[i] = finiteDifference(model, p, i, ids, targets);
                }
                GRADIENT.check("gradient of " + e.getKey(), numeric, e.getValue());
            }
        }
    }

    private static Map<String, double[]> analyticGradients(Transformer model, TrainableParams trainable, NDArray ids,
                                                           NDArray targets) {
        trainable.zeroGradients();
        try (GradientCollector gc = Engines.pytorch().newGradientCollector();
             NDArray logits = model.forward(ids, null, null);
             NDArray nll = Losses.tokenNll(logits, targets);
             NDArray loss = nll.mean()) {
            assertEquals(DataType.FLOAT64, loss.getDataType());
            gc.backward(loss);
        }
        Map<String, double[]> grads = new LinkedHashMap<>();
        trainable.forEachGradient((name, p, g) -> grads.put(name, g.toDoubleArray()));
        return grads;
    }

    private static double finiteDifference(Transformer model, NDArray p, int i, NDArray ids, NDArray targets) {
        double[] values = p.toDoubleArray();
        double x = values[i];
        values[i] = x + H;
        p.set(values);
        double plus = loss(model, ids, targets);
        values[i] = x - H;
        p.set(values);
        double minus = loss(model, ids, targets);
        values[i] = x;
        p.set(values);
        return (plus - minus) / (2 * H);
    }

    private static double loss(Transformer model, NDArray ids, NDArray targets) {
        try (NDArray logits = model.forward(ids, null, null);
             NDArray nll = Losses.tokenNll(logits, targets);
             NDArray loss = nll.mean()) {
            return loss.getDouble();
        }
    }
}
