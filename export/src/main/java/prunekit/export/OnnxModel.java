package prunekit.export;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import prunekit.core.io.FormatException;

/**
 * An exported decoder loaded in ONNX Runtime (Java, CPU): what its inputs say about the model
 * (vocabulary, which layers have a cache, their KV heads, head dim) and the entry points to run
 * it. Decoding state lives in an {@link OrtSequence} ({@link #newSequence}). The thread count is
 * fixed when loading ({@link RunOptions}).
 */
public final class OnnxModel implements AutoCloseable {
    /**
     * Session settings: {@code intraOpThreads} threads for one operator (inter-op parallelism is
     * off: sequential execution), full graph optimization unless {@code optimize} is false.
     */
    public record RunOptions(int intraOpThreads, boolean optimize) {
        public RunOptions {
            if (intraOpThreads < 1) {
                throw new IllegalArgumentException("intra-op threads must be at least 1, got " + intraOpThreads);
            }
        }

        /** All available cores (up to 16), full optimization. */
        public static RunOptions defaults() {
            return new RunOptions(Math.min(16, Runtime.getRuntime().availableProcessors()), true);
        }

        public RunOptions withThreads(int threads) {
            return new RunOptions(threads, optimize);
        }
    }

    private static final Pattern PAST_KEY = Pattern.compile("past_key_values\\.(\\d+)\\.key");

    private final Path path;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final int vocabSize;
    private final int headDim;
    private final Map<Integer, Integer> kvHeads;
    private final Map<String, String> metadata;

    private OnnxModel(Path path, RunOptions options) throws OrtException {
        this.path = path;
        this.env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(options.intraOpThreads());
            so.setInterOpNumThreads(1);
            so.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            so.setOptimizationLevel(options.optimize() ? OrtSession.SessionOptions.OptLevel.ALL_OPT
                    : OrtSession.SessionOptions.OptLevel.NO_OPT);
            try {
                this.session = env.createSession(path.toString(), so);
            } catch (OrtException e) {
                throw new FormatException(path, "not an ONNX model ONNX Runtime can load (" + reason(e) + ");"
                        + " export one with prunekit export", e);
            }
        }
        try {
            this.metadata = Map.copyOf(session.getMetadata().getCustomMetadata());
            long[] logits = shapeOf(session.getOutputInfo().get(IoNames.LOGITS), IoNames.LOGITS);
            this.vocabSize = Math.toIntExact(logits[2]);
            Map<Integer, Integer> kv = new LinkedHashMap<>();
            int hd = -1;
            for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
                Matcher m = PAST_KEY.matcher(e.getKey());
                if (m.matches()) {
                    long[] s = shapeOf(e.getValue(), e.getKey());
                    kv.put(Integer.parseInt(m.group(1)), Math.toIntExact(s[1]));
                    hd = Math.toIntExact(s[3]);
                }
            }
            this.kvHeads = Collections.unmodifiableMap(kv);
            this.headDim = hd;
        } catch (RuntimeException | OrtException e) {
            session.close();
            throw e;
        }
    }

    /** ONNX Runtime's message without its error code and "Load model from … failed:" prefix. */
    public static String reason(Exception e) {
        String m = String.valueOf(e.getMessage());
        m = m.replaceFirst("^Error code - \\w+ - message: ", "");
        m = m.replaceFirst("^Load model from \\S+ failed:\\s*", "");
        m = m.replaceFirst("^ONNX Runtime failed running \\S+: ", "");
        return m.strip();
    }

    /** Loads {@code model} (a .onnx file written by {@link OnnxWriter}, with its .data file beside it). */
    public static OnnxModel load(Path model, RunOptions options) throws OrtException {
        if (!Files.isRegularFile(model)) {
            throw new IllegalArgumentException("no ONNX model at " + model + "; export one with OnnxWriter first");
        }
        return new OnnxModel(model, options);
    }

    private long[] shapeOf(NodeInfo info, String name) {
        if (info == null || !(info.getInfo() instanceof TensorInfo t)) {
            throw new IllegalArgumentException(path + " has no tensor " + name
                    + "; is it a decoder exported by prunekit (or optimum)?");
        }
        return t.getShape();
    }

    public Path path() {
        return path;
    }

    public int vocabSize() {
        return vocabSize;
    }

    /** Head dim of the cache, or -1 when no layer has attention. */
    public int headDim() {
        return headDim;
    }

    /** Layers with a KV cache → their number of KV heads, in input order. */
    public Map<Integer, Integer> cacheLayers() {
        return kvHeads;
    }

    /** Positions the RoPE tables cover (from the metadata), or {@link Integer#MAX_VALUE} if unknown. */
    public int maxPositions() {
        String v = metadata.get(ModelMetadata.MAX_POSITIONS);
        return v == null ? Integer.MAX_VALUE : Integer.parseInt(v);
    }

    /** True when attention runs in com.microsoft GroupQueryAttention (see {@link OrtSequence#append}). */
    public boolean usesGroupQueryAttention() {
        return ModelMetadata.ATTENTION_GQA.equals(metadata.get(ModelMetadata.ATTENTION));
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    OrtEnvironment env() {
        return env;
    }

    OrtSession session() {
        return session;
    }

    /** A new, empty batch of {@code batch} sequences. */
    public OrtSequence newSequence(int batch) throws OrtException {
        return new OrtSequence(this, batch);
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
