package prunekit.recover;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import prunekit.core.TestModels;
import prunekit.core.engine.Engines;
import prunekit.core.engine.Losses;
import prunekit.core.engine.Params;
import prunekit.core.engine.RopeTable;
import prunekit.core.engine.Tolerance;
import prunekit.core.engine.Transformer;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;

/**
 * The goldens of {@code cuda-kernels/} from our engine (DJL PyTorch CPU, fp32): a tiny model with
 * per-layer shapes (GQA, MHA, a layer without attention, a layer without MLP), one batch, loss
 * CE + 0.5·KD(T = 2) against a random teacher's logits, global-norm clipping at 1 and our
 * {@link AdamW}, the same step {@link TrainStep} takes. It writes the inputs, the first step's
 * logits, loss and gradients, the 10 losses and the weights after 10 steps. The file is committed;
 * this test regenerates it, checks that two runs give the same bytes and that the committed file
 * holds the same numbers (fp32 tolerance: other CPUs may round PyTorch's kernels differently).
 * {@code -Dprunekit.golden.write=true} rewrites the committed file.
 */
class NativeGoldenTest {
    static final int B = 2;
    static final int T = 8;
    static final int STEPS = 10;
    static final double LR = 1e-3;
    static final double CLIP = 1.0;
    static final double KD_WEIGHT = 0.5;
    static final double TEMPERATURE = 2.0;
    static final AdamW.Settings ADAMW = new AdamW.Settings(0.9, 0.95, 1e-8, 0.1);

    static LlamaConfig config() {
        return LlamaConfig.builder().vocabSize(32).hidden(16).headDim(4).maxPositions(16)
                .layers(List.of(new LayerShape(4, 2, 24), new LayerShape(2, 2, 12), new LayerShape(0, 0, 20),
                        new LayerShape(4, 1, 0)))
                .build();
    }

    @Test
    void enginesGoldensAreReproducibleAndMatchTheCommittedFile() throws IOException {
        byte[] first = generate();
        assertArrayEquals(first, generate(), "two runs of the golden generator must give the same bytes");
        Path file = Path.of(System.getProperty("prunekit.root", ".")).resolve("cuda-kernels/golden/engine-tiny.pkgold");
        if (Boolean.getBoolean("prunekit.golden.write")) {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, first);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        byte[] committed = Files.readAllBytes(file);
        for (String name : List.of("logits", "loss", "losses", "final/model.layers.0.self_attn.q_proj.weight",
                "grad/model.embed_tokens.weight", "final/lm_head.weight")) {
            float[] want = NativeGoldenFile.readF32(committed, name);
            float[] got = NativeGoldenFile.readF32(first, name);
            assertNotNull(want, file + " has no " + name + "; regenerate with -Dprunekit.golden.write=true");
            new Tolerance(1e-5, 1e-4).check(name + " regenerated vs " + file, Tolerance.toDouble(want), got);
        }
    }

    static byte[] generate() {
        LlamaConfig c = config();
        NativeGoldenFile g = new NativeGoldenFile();
        g.i32("config", new int[] {c.vocabSize(), c.hidden(), c.headDim(), c.numLayers(), c.tieWordEmbeddings() ? 1 : 0, B, T, STEPS}, 8);
        int[] shapes = new int[3 * c.numLayers()];
        for (int i = 0; i < c.numLayers(); i++) {
            shapes[3 * i] = c.layer(i).queryHeads();
            shapes[3 * i + 1] = c.layer(i).kvHeads();
            shapes[3 * i + 2] = c.layer(i).ffn();
        }
        g.i32("layers", shapes, c.numLayers(), 3);
        g.f32("hyper", new float[] {(float) c.rmsNormEps(), (float) LR, (float) ADAMW.beta1(), (float) ADAMW.beta2(),
            (float) ADAMW.eps(), (float) ADAMW.weightDecay(), (float) CLIP, 1f, (float) KD_WEIGHT, (float) TEMPERATURE}, 10);
        RopeTable rope = RopeTable.of(c);
        int half = c.headDim() / 2;
        float[] cos = new float[T * half];
        float[] sin = new float[T * half];
        for (int t = 0; t < T; t++) {
            for (int j = 0; j < half; j++) {
                cos[t * half + j] = rope.cos(t, j);
                sin[t * half + j] = rope.sin(t, j);
            }
        }
        g.f32("rope.cos", cos, T, half);
        g.f32("rope.sin", sin, T, half);
        int[] stream = TinyModels.randomStream(B * (T + 1), c.vocabSize(), 17);
        int[] ids = new int[B * T];
        int[] targets = new int[B * T];
        for (int r = 0; r < B; r++) {
            for (int j = 0; j < T; j++) {
                ids[r * T + j] = stream[r * (T + 1) + j];
                targets[r * T + j] = stream[r * (T + 1) + j + 1];
            }
        }
        g.i32("ids", ids, B * T);
        g.i32("targets", targets, B * T);
        train(c, ids, targets, g);
        return g.bytes();
    }

    private static void train(LlamaConfig c, int[] ids, int[] targets, NativeGoldenFile g) {
        LlamaWeights student = TestModels.random(c, 5, 0.3);
        float[] teacherLogits;
        try (Transformer teacher = new Transformer(TestModels.random(c, 6, 0.5))) {
            teacherLogits = flat(teacher, ids);
        }
        g.f32("teacher_logits", teacherLogits, B * T, c.vocabSize());
        student.tensors().forEach((name, t) -> g.f32("init/" + name, t.data(), (int) t.numel()));
        try (Params params = new Params(student); Transformer model = new Transformer(params);
             NDManager m = params.manager().newSubManager()) {
            TrainableParams trainable = new TrainableParams(params, ParamSelection.ALL);
            NDArray in = m.create(toLong(ids), new Shape(B, T));
            NDArray tg = m.create(toLong(targets), new Shape(B, T));
            NDArray teacher = m.create(teacherLogits, new Shape(B, T, c.vocabSize()));
            float[] losses = new float[STEPS];
            try (AdamW opt = new AdamW(trainable, ADAMW)) {
                for (int step = 0; step < STEPS; step++) {
                    trainable.zeroGradients();
                    float[] parts = forwardBackward(model, in, tg, teacher, m, step == 0 ? g : null);
                    losses[step] = parts[0];
                    TrainableParams.GradientStats stats = trainable.gradientStats();
                    if (step == 0) {
                        trainable.forEachGradient((name, p, grad) -> g.f32("grad/" + name, grad.toFloatArray(), (int) grad.size()));
                        g.f32("loss", new float[] {parts[0], parts[1], parts[2], (float) stats.norm()}, 4);
                    }
                    if (stats.norm() > CLIP) {
                        trainable.scaleGradients(CLIP / (stats.norm() + 1e-6));
                    }
                    opt.step(trainable, LR);
                }
            }
            g.f32("losses", losses, STEPS);
            Map<String, float[]> finals = new LinkedHashMap<>();
            params.arrays().forEach((name, a) -> finals.put(name, a.toFloatArray()));
            finals.forEach((name, v) -> g.f32("final/" + name, v, v.length));
        }
    }

    /** CE + 0.5·KD with backward; returns {loss, ce, kd} and records the logits when {@code g} is given. */
    private static float[] forwardBackward(Transformer model, NDArray ids, NDArray targets, NDArray teacher, NDManager m,
                                           NativeGoldenFile g) {
        try (NDManager step = m.newSubManager(); GradientCollector gc = Engines.pytorch().newGradientCollector()) {
            NDArray logits = model.forward(ids, null, null);
            logits.attach(step);
            NDArray ce = Losses.tokenNll(logits, targets).mean();
            NDArray kd = DistillLosses.kl(logits, teacher, TEMPERATURE);
            NDArray total = ce.add(kd.mul(step.full(new Shape(), (float) KD_WEIGHT, kd.getDataType())));
            gc.backward(total);
            if (g != null) {
                g.f32("logits", logits.toFloatArray(), B * T, model.config().vocabSize());
            }
            return new float[] {total.getFloat(), ce.getFloat(), kd.getFloat()};
        }
    }

    private static float[] flat(Transformer t, int[] ids) {
        float[] out = new float[B * T * t.config().vocabSize()];
        for (int r = 0; r < B; r++) {
            float[][] rows = t.logits(java.util.Arrays.copyOfRange(ids, r * T, r * T + T));
            for (int j = 0; j < T; j++) {
                System.arraycopy(rows[j], 0, out, (r * T + j) * t.config().vocabSize(), t.config().vocabSize());
            }
        }
        return out;
    }

    private static long[] toLong(int[] a) {
        long[] l = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            l[i] = a[i];
        }
        return l;
    }
}
