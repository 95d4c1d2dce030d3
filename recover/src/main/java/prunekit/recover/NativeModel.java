package prunekit.recover;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import prunekit.core.engine.NativeKernels;
import prunekit.core.engine.RopeTable;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;

/**
 * One recovery training step in native code, {@code cuda-kernels/} behind its JNI shim: the C
 * reference backend (the oracle, on the CPU) or the CUDA backend, with weights, gradients and AdamW
 * moments held by the backend. The same objective as {@link TrainStep} without LoRA or hidden-state
 * matching: w_ce·CE + w_kd·KD(T) against full teacher logits, global-norm clipping as
 * {@code torch.nn.utils.clip_grad_norm_}, {@link AdamW} with decay on matrices only. The teacher is
 * a second, forward-only model on the same backend ({@link #openTeacher}: weights and logits, no
 * gradients or moments), whose logits the KD loss reads where they are. Weights, gradients and
 * moments move one tensor at a time (a model may hold more than 2^31 floats).
 *
 * <p>The library is the one {@link NativeKernels} loads; build it with {@code bash cuda-kernels/ci.sh}.
 */
public final class NativeModel implements AutoCloseable {
    /** Which implementation of the kernels runs the step. */
    public enum Backend {
        CPU_REFERENCE, CUDA
    }

    /** A step's objective and its parts (kd NaN without a teacher). */
    public record Loss(double loss, double ce, double kd) {
    }

    public static final String LIBRARY_PROPERTY = NativeKernels.LIBRARY_PROPERTY;

    private final LlamaConfig config;
    private final int rows;
    private long handle;

    private NativeModel(LlamaConfig config, int rows, long handle) {
        this.config = config;
        this.rows = rows;
        this.handle = handle;
    }

    /** A model to train, for batches of {@code batch} rows of {@code seq} tokens on {@code backend}. */
    public static NativeModel open(Backend backend, LlamaConfig c, int batch, int seq) {
        return open(backend, c, batch, seq, false);
    }

    /** A forward-only model (a KD teacher, of any shape with the student's vocabulary) for the same batches. */
    public static NativeModel openTeacher(Backend backend, LlamaConfig c, int batch, int seq) {
        return open(backend, c, batch, seq, true);
    }

    private static NativeModel open(Backend backend, LlamaConfig c, int batch, int seq, boolean forwardOnly) {
        if (c.attentionBias() || c.mlpBias()) {
            throw new IllegalArgumentException("the native step has no biases; this model has attention_bias "
                    + c.attentionBias() + ", mlp_bias " + c.mlpBias() + " (recover it on --device cpu)");
        }
        if (seq > c.maxPositions() || batch < 1 || seq < 1) {
            throw new IllegalArgumentException("batch " + batch + " × seq " + seq + " does not fit a model of "
                    + c.maxPositions() + " positions");
        }
        NativeKernels.load();
        if (backend == Backend.CUDA) {
            cudaUnavailable().ifPresent(why -> {
                throw new IllegalArgumentException("--device cuda: " + why);
            });
        }
        int[] layers = new int[3 * c.numLayers()];
        for (int i = 0; i < c.numLayers(); i++) {
            layers[3 * i] = c.layer(i).queryHeads();
            layers[3 * i + 1] = c.layer(i).kvHeads();
            layers[3 * i + 2] = c.layer(i).ffn();
        }
        RopeTable rope = RopeTable.of(c);
        int half = c.headDim() / 2;
        float[] cos = new float[seq * half]; // (seq, headDim/2)
        float[] sin = new float[seq * half];
        for (int t = 0; t < seq; t++) {
            for (int j = 0; j < half; j++) {
                cos[t * half + j] = rope.cos(t, j);
                sin[t * half + j] = rope.sin(t, j);
            }
        }
        long h = create(backend.ordinal(), c.vocabSize(), c.hidden(), c.headDim(), layers, (float) c.rmsNormEps(),
                c.tieWordEmbeddings(), batch, seq, cos, sin, forwardOnly);
        return new NativeModel(c, batch * seq, h);
    }

    /** Why the CUDA backend cannot run here (no CUDA in the build, no device), or empty when it can. */
    public static Optional<String> cudaUnavailable() {
        NativeKernels.load();
        return Optional.ofNullable(cudaUnavailableReason());
    }

    /** The library's path ({@link NativeKernels#path}). */
    public static Path libraryPath() {
        return NativeKernels.path();
    }

    /** Uploads every tensor of {@code w} (same config) into the backend's flat parameter buffer. */
    public void setWeights(LlamaWeights w) {
        if (!w.config().equals(config)) {
            throw new IllegalArgumentException("weights of another config than this native model's");
        }
        for (Map.Entry<String, FloatTensor> e : w.tensors().entrySet()) {
            transfer(handle, PARAMS, offsetOf(e.getKey()), e.getValue().data(), true);
        }
    }

    /** The current weights, named and shaped as {@code LlamaWeights.expectedShapes}. */
    public LlamaWeights weights(DType storedDtype) {
        return new LlamaWeights(config, read(PARAMS), storedDtype);
    }

    /** The gradients of the last {@link #forwardBackward}, by tensor name. */
    public Map<String, FloatTensor> gradients() {
        return read(GRADS);
    }

    /** Sets every gradient to 0: before the first micro-batch of a step. */
    public void zeroGradients() {
        zeroGrads(handle);
    }

    /**
     * Forward and backward of one micro-batch; gradients add to what {@link #zeroGradients} left, so
     * scale the weights by 1/micro-batches. {@code teacherLogits} (rows·vocab), computed elsewhere, may
     * be null. Returns the weighted objective and the unweighted CE and KD means.
     */
    public Loss forwardBackward(int[] ids, int[] targets, float[] teacherLogits, double ceWeight, double kdWeight,
                                double temperature) {
        return forwardBackward(ids, targets, teacherLogits, 0, ceWeight, kdWeight, temperature);
    }

    /**
     * As {@link #forwardBackward(int[], int[], float[], double, double, double)} with the logits of
     * {@code teacher} ({@link #openTeacher}, same backend, batch, seq and vocabulary; null: no KD) over
     * the same ids, computed and read in the backend's memory.
     */
    public Loss forwardBackward(int[] ids, int[] targets, NativeModel teacher, double ceWeight, double kdWeight,
                                double temperature) {
        return forwardBackward(ids, targets, null, teacher == null ? 0 : teacher.handle, ceWeight, kdWeight,
                temperature);
    }

    private Loss forwardBackward(int[] ids, int[] targets, float[] logits, long teacher, double ceWeight,
                                 double kdWeight, double temperature) {
        float[] parts = new float[2];
        float loss = forwardBackward(handle, ids, targets, logits, teacher, (float) ceWeight, (float) kdWeight,
                (float) temperature, parts);
        return new Loss(loss, parts[0], logits == null && teacher == 0 ? Double.NaN : parts[1]);
    }

    /** Clips (clip ≤ 0: none) and applies one AdamW update at {@code lr}; returns the gradient norm before clipping. */
    public double step(AdamW.Settings s, double lr, double clip) {
        return step(handle, (float) lr, (float) s.beta1(), (float) s.beta2(), (float) s.eps(), (float) s.weightDecay(),
                (float) clip);
    }

    /** The global L2 norm of the last {@link #forwardBackward}'s gradients (check it before {@link #step} to skip a non-finite step). */
    public double gradientNorm() {
        return gradNorm(handle);
    }

    /** AdamW updates applied so far (t of the bias corrections). */
    public long updates() {
        return updates(handle);
    }

    /** The AdamW moments as {@link AdamW#state()} names them ({@code m.<param>}, {@code v.<param>}), for a checkpoint. */
    public Map<String, FloatTensor> optimizerState() {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        read(ADAM_M).forEach((name, t) -> out.put("m." + name, t));
        read(ADAM_V).forEach((name, t) -> out.put("v." + name, t));
        return out;
    }

    /** Restores moments written by {@link #optimizerState()} or {@link AdamW#state()} and the update count. */
    public void loadOptimizerState(Map<String, FloatTensor> state, long updateCount) {
        if (updateCount < 0) {
            throw new IllegalArgumentException("negative update count " + updateCount);
        }
        for (String name : LlamaWeights.expectedShapes(config).keySet()) {
            for (String prefix : new String[] {"m.", "v."}) {
                if (!state.containsKey(prefix + name)) {
                    throw new IllegalArgumentException("optimizer state has no " + prefix + name
                            + "; the native step trains every tensor (was the checkpoint written for a LoRA or partial run?)");
                }
            }
        }
        for (String name : LlamaWeights.expectedShapes(config).keySet()) {
            transfer(handle, ADAM_M, offsetOf(name), state.get("m." + name).data(), true);
            transfer(handle, ADAM_V, offsetOf(name), state.get("v." + name).data(), true);
        }
        setUpdates(handle, updateCount);
    }

    /** Logits (rows, vocab) of the last forward, flat. */
    public float[] logits() {
        float[] out = new float[rows * config.vocabSize()];
        transfer(handle, LOGITS, 0, out, false);
        return out;
    }

    /** Buffer {@code which} (PARAMS, GRADS, ADAM_M, ADAM_V), tensor by tensor, named and shaped as {@code expectedShapes}. */
    private Map<String, FloatTensor> read(int which) {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : LlamaWeights.expectedShapes(config).entrySet()) {
            float[] d = new float[Math.toIntExact(FloatTensor.numel(e.getValue()))];
            transfer(handle, which, offsetOf(e.getKey()), d, false);
            out.put(e.getKey(), new FloatTensor(e.getValue(), d));
        }
        return out;
    }

    private long offsetOf(String name) {
        long off = offset(handle, name);
        if (off < 0) {
            throw new IllegalArgumentException("the native model has no tensor " + name);
        }
        return off;
    }

    @Override
    public void close() {
        if (handle != 0) {
            free(handle);
            handle = 0;
        }
    }

    // ---- cuda-kernels/src/jni_shim.c ----
    private static final int PARAMS = 0; // pk_buffer
    private static final int GRADS = 1;
    private static final int ADAM_M = 2;
    private static final int ADAM_V = 3;
    private static final int LOGITS = 4;

    private static native String cudaUnavailableReason();

    private static native long create(int backend, int vocab, int hidden, int headDim, int[] layers, float eps,
                                      boolean tied, int batch, int seq, float[] cos, float[] sin, boolean forwardOnly);

    private static native void free(long handle);

    private static native long offset(long handle, String name);

    private static native void transfer(long handle, int which, long offset, float[] array, boolean write);

    private static native float forwardBackward(long handle, int[] ids, int[] targets, float[] teacher,
                                                long teacherHandle, float ceWeight, float kdWeight, float temperature,
                                                float[] parts);

    private static native void setUpdates(long handle, long updates);

    private static native long updates(long handle);

    private static native float gradNorm(long handle);

    private static native void zeroGrads(long handle);

    private static native float step(long handle, float lr, float beta1, float beta2, float eps, float weightDecay,
                                     float clip);
}
