package prunekit.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import prunekit.core.engine.Decoder;

/**
 * A batch of sequences being decoded with ONNX Runtime: the KV cache (the previous step's present
 * tensors, kept inside ONNX Runtime and fed back as the next step's past), the attention mask so
 * far and each row's next position. Every {@link #append} runs the graph once on new tokens of
 * the same count in every row: a prefill is one append of the prompt, a decode step an append
 * of one token per row. Padding is a 0 in the mask; a padded token takes no position, so left
 * padding gives every row positions 0, 1, 2, ... over its real tokens, as HF does. At batch 1 it
 * is a {@link Decoder}, like our engine and the plain reference.
 */
public final class OrtSequence implements Decoder {
    private final OnnxModel model;
    private final int batch;
    private final long[] nextPosition;
    private long[][] mask;
    private final List<OnnxTensor> emptyPasts = new ArrayList<>();
    private final Map<String, OnnxTensor> past = new HashMap<>();
    private OrtSession.Result held;

    OrtSequence(OnnxModel model, int batch) throws OrtException {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1, got " + batch);
        }
        this.model = model;
        this.batch = batch;
        this.nextPosition = new long[batch];
        this.mask = new long[batch][0];
        try {
            for (Map.Entry<Integer, Integer> e : model.cacheLayers().entrySet()) {
                long[] shape = {batch, e.getValue(), 0, model.headDim()};
                for (String name : List.of(IoNames.pastKey(e.getKey()), IoNames.pastValue(e.getKey()))) {
                    OnnxTensor t = OnnxTensor.createTensor(model.env(), FloatBuffer.allocate(0), shape);
                    emptyPasts.add(t);
                    past.put(name, t);
                }
            }
        } catch (OrtException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Positions held in the cache (the same for every row, padding included). */
    @Override
    public int length() {
        return mask[0].length;
    }

    public int batch() {
        return batch;
    }

    @Override
    public int maxPositions() {
        return model.maxPositions();
    }

    /** {@link Decoder}'s append, batch 1: an ONNX Runtime failure is thrown as an IllegalStateException. */
    @Override
    public float[][] append(int[] ids) {
        if (batch != 1) {
            throw new IllegalArgumentException("this sequence holds " + batch + " rows; append (B, T) ids");
        }
        try {
            return append(new int[][] {ids}).sequence(0);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed running " + model.path() + ": " + e.getMessage(), e);
        }
    }

    /** Appends {@code ids} (B, T), all real tokens; returns their logits (B, T, vocab). */
    public Logits append(int[][] ids) throws OrtException {
        int[][] ones = new int[ids.length][];
        for (int b = 0; b < ids.length; b++) {
            ones[b] = new int[ids[b].length];
            java.util.Arrays.fill(ones[b], 1);
        }
        return append(ids, ones);
    }

    /**
     * Appends {@code ids} (B, T) with their mask entries (1 = token, 0 = padding). With
     * GroupQueryAttention (the OPTIMIZED flavour), a step of several tokens after the first needs
     * batch 1: ONNX Runtime rejects the rest.
     */
    public Logits append(int[][] ids, int[][] newMask) throws OrtException {
        int t = checkShape(ids, newMask);
        if (batch > 1 && t > 1 && length() > 0 && model.usesGroupQueryAttention()) {
            throw new IllegalArgumentException(model.path() + " uses ONNX Runtime's GroupQueryAttention, which takes "
                    + "several new tokens after a non-empty cache only at batch 1; append one token per row per "
                    + "step, or export the STANDARD flavour for chunked prefill of a batch");
        }
        int s = length() + t;
        long[] idsFlat = new long[batch * t];
        long[] posFlat = new long[batch * t];
        long[][] nextMask = new long[batch][s];
        long[] nextPos = nextPosition.clone();
        for (int b = 0; b < batch; b++) {
            System.arraycopy(mask[b], 0, nextMask[b], 0, length());
            for (int j = 0; j < t; j++) {
                idsFlat[b * t + j] = ids[b][j];
                posFlat[b * t + j] = nextPos[b];
                nextMask[b][length() + j] = newMask[b][j];
                nextPos[b] += newMask[b][j];
            }
            if (nextPos[b] > model.maxPositions()) {
                throw new IllegalArgumentException("row " + b + " would reach position " + nextPos[b]
                        + " but " + model.path() + " has RoPE tables for " + model.maxPositions() + " positions");
            }
        }
        long[] maskFlat = new long[batch * s];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(nextMask[b], 0, maskFlat, b * s, s);
        }
        OrtSession.Result result = run(idsFlat, maskFlat, posFlat, t, s);
        float[] logits;
        try {
            logits = floats(result.get(IoNames.LOGITS).orElseThrow());
            for (int layer : model.cacheLayers().keySet()) {
                past.put(IoNames.pastKey(layer), (OnnxTensor) result.get(IoNames.presentKey(layer)).orElseThrow());
                past.put(IoNames.pastValue(layer), (OnnxTensor) result.get(IoNames.presentValue(layer)).orElseThrow());
            }
        } catch (RuntimeException e) {
            result.close();
            throw e;
        }
        if (held != null) {
            held.close();
        }
        held = result;
        mask = nextMask;
        System.arraycopy(nextPos, 0, nextPosition, 0, batch);
        return new Logits(logits, batch, t, model.vocabSize());
    }

    private OrtSession.Result run(long[] ids, long[] maskFlat, long[] pos, int t, int s) throws OrtException {
        Map<String, OnnxTensor> inputs = new HashMap<>(past);
        List<OnnxTensor> made = new ArrayList<>();
        try {
            made.add(tensor(IoNames.INPUT_IDS, ids, new long[] {batch, t}, inputs));
            made.add(tensor(IoNames.ATTENTION_MASK, maskFlat, new long[] {batch, s}, inputs));
            made.add(tensor(IoNames.POSITION_IDS, pos, new long[] {batch, t}, inputs));
            return model.session().run(inputs);
        } finally {
            for (OnnxTensor m : made) {
                m.close();
            }
        }
    }

    private OnnxTensor tensor(String name, long[] values, long[] shape, Map<String, OnnxTensor> inputs)
            throws OrtException {
        OnnxTensor x = OnnxTensor.createTensor(model.env(), LongBuffer.wrap(values), shape);
        inputs.put(name, x);
        return x;
    }

    private static float[] floats(OnnxValue v) {
        FloatBuffer fb = ((OnnxTensor) v).getFloatBuffer();
        float[] out = new float[fb.remaining()];
        fb.get(out);
        return out;
    }

    private int checkShape(int[][] ids, int[][] newMask) {
        if (ids.length != batch || newMask.length != batch) {
            throw new IllegalArgumentException("expected " + batch + " rows of ids and mask, got " + ids.length
                    + " and " + newMask.length);
        }
        int t = ids[0].length;
        for (int b = 0; b < batch; b++) {
            if (ids[b].length != t || newMask[b].length != t) {
                throw new IllegalArgumentException("every row must append the same number of tokens (" + t
                        + "); row " + b + " has " + ids[b].length + " ids and " + newMask[b].length + " mask entries");
            }
        }
        if (t == 0) {
            throw new IllegalArgumentException("append at least one token");
        }
        return t;
    }

    @Override
    public void close() {
        if (held != null) {
            held.close();
            held = null;
        }
        emptyPasts.forEach(OnnxTensor::close);
        emptyPasts.clear();
        past.clear();
    }
}
