package prunekit.export;

import com.google.gson.Gson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import prunekit.core.io.TensorSource;
import prunekit.core.model.DType;
import prunekit.core.model.LlamaWeights;
import prunekit.export.onnx.DataType;
import prunekit.export.onnx.Graph;
import prunekit.export.onnx.ModelSpec;
import prunekit.export.onnx.OnnxFile;

/**
 * Exports a LLaMA-family model (uniform or per-layer shapes, MHA or GQA, tied or untied head,
 * optional biases, LLaMA-3 RoPE scaling) as an ONNX decoder with a KV cache, in the layout optimum
 * and onnxruntime-genai use, so one graph serves prefill and decode:
 * <pre>
 *   inputs : input_ids (B, T) int64, attention_mask (B, S) int64, position_ids (B, T) int64,
 *            past_key_values.N.key / .value (B, kv_heads_N, P, head_dim) float   (S = P + T)
 *   outputs: logits (B, T, vocab) float, present.N.key / .value (B, kv_heads_N, S, head_dim) float
 * </pre>
 * N runs over the layers that have attention (a layer with 0 heads has no cache). The first step
 * passes pasts with P = 0. IR version 8, opset 17 (+ com.microsoft 1 for {@link OnnxFlavour#OPTIMIZED}).
 * fp16 export stores the weights as fp16 and casts them to fp32 inside the graph; activations,
 * cache and logits stay fp32. The file is written under a temporary name and renamed.
 */
public final class OnnxWriter {
    public static final long IR_VERSION = 8;
    public static final int OPSET = 17;

    /** How to export. {@code weightDtype} is F32 or F16. */
    public record Options(OnnxFlavour flavour, DType weightDtype, OnnxFile.ExternalData externalData) {
        public Options {
            if (weightDtype == DType.BF16) {
                throw new IllegalArgumentException("ONNX export stores weights as f32 or f16; bf16 is not offered"
                        + " (ONNX Runtime's CPU kernels do not run bf16 MatMul)");
            }
        }

        public static Options defaults() {
            return new Options(OnnxFlavour.STANDARD, DType.F32, OnnxFile.ExternalData.AUTO);
        }

        public Options withFlavour(OnnxFlavour f) {
            return new Options(f, weightDtype, externalData);
        }

        public Options withWeightDtype(DType d) {
            return new Options(flavour, d, externalData);
        }

        public Options withExternalData(OnnxFile.ExternalData e) {
            return new Options(flavour, weightDtype, e);
        }
    }

    /** What was written. {@code data} is null when the weights are inside the .onnx file. */
    public record Result(Path model, Path data, Options options, int nodes, int initializers, long weightBytes,
                         long modelFileBytes) {
    }

    private OnnxWriter() {
    }

    public static Result write(LlamaWeights weights, Path out, Options options) throws IOException {
        return write(TensorSource.of(weights, "weights in memory"), out, options);
    }

    /** Exports weights read one tensor at a time while written (a model larger than memory streams to the data file). */
    public static Result write(TensorSource source, Path out, Options options) throws IOException {
        return write(source, out, options, out.getFileName() + ".data");
    }

    /** As above with the external data file (when there is one) named {@code dataName}. */
    public static Result write(TensorSource source, Path out, Options options, String dataName) throws IOException {
        DataType wt = options.weightDtype() == DType.F16 ? DataType.FLOAT16 : DataType.FLOAT;
        DecoderGraph builder = options.flavour() == OnnxFlavour.STANDARD
                ? new StandardDecoderGraph(source, wt)
                : new OptimizedDecoderGraph(source, wt);
        Graph graph = builder.build();
        Map<String, Integer> opsets = new LinkedHashMap<>();
        opsets.put("", OPSET);
        if (options.flavour() == OnnxFlavour.OPTIMIZED) {
            opsets.put(GraphOps.MS_DOMAIN, 1);
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(ModelMetadata.CONFIG, new Gson().toJson(source.config()));
        meta.put(ModelMetadata.FLAVOUR, options.flavour().name());
        meta.put(ModelMetadata.WEIGHT_DTYPE, options.weightDtype().name());
        boolean gqa = options.flavour() == OnnxFlavour.OPTIMIZED
                && OptimizedDecoderGraph.groupQueryAttentionSupports(source.config());
        meta.put(ModelMetadata.ATTENTION, gqa ? ModelMetadata.ATTENTION_GQA : ModelMetadata.ATTENTION_STANDARD);
        meta.put(ModelMetadata.MAX_POSITIONS, Integer.toString(source.config().maxPositions()));
        ModelSpec spec = new ModelSpec(graph, IR_VERSION, opsets, "prunekit", "0.1.0",
                "LLaMA-family decoder with KV cache exported by prunekit (" + options.flavour() + ", "
                        + options.weightDtype() + " weights)", meta);
        OnnxFile.Written w = OnnxFile.write(spec, out, options.externalData(), dataName);
        return new Result(w.model(), w.data(), options, graph.nodes().size(), graph.initializers().size(),
                graph.initializerBytes(), w.modelBytes());
    }
}
