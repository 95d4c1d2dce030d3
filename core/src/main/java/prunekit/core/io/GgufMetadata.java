package prunekit.core.io;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.tokenize.SentencePieceBpe;

/**
 * The metadata keys prunekit writes into a GGUF file, by group (the GGUF spec's general.*, the llama
 * architecture's llama.* and tokenizer.ggml.*), with the names and types llama.cpp reads.
 */
final class GgufMetadata {
    private GgufMetadata() {
    }

    static void general(GgufHeader h, String arch, LlamaConfig c, GgufWriter.Options opts, int fileType) {
        h.putString("general.architecture", arch)
                .putString("general.type", "model")
                .putString("general.name", opts.name())
                .putString("general.size_label", sizeLabel(c.parameterCount()))
                .putString("general.description", opts.provenance())
                .putU32("general.file_type", fileType)
                .putU32("general.quantization_version", 2)
                .putU32("general.alignment", GgufHeader.ALIGNMENT);
    }

    /** Hyper-parameters; head counts and FFN width are one value when every layer agrees, else one per layer. */
    static void hyperParameters(GgufHeader h, String arch, LlamaConfig c) {
        String a = arch + ".";
        h.putU32(a + "vocab_size", c.vocabSize())
                .putU32(a + "context_length", c.maxPositions())
                .putU32(a + "embedding_length", c.hidden())
                .putU32(a + "block_count", c.numLayers());
        perLayer(h, a + "feed_forward_length", c, LayerShape::ffn);
        perLayer(h, a + "attention.head_count", c, LayerShape::queryHeads);
        perLayer(h, a + "attention.head_count_kv", c, LayerShape::kvHeads);
        h.putU32(a + "attention.key_length", c.headDim())
                .putU32(a + "attention.value_length", c.headDim())
                .putU32(a + "rope.dimension_count", c.headDim())
                .putF32(a + "rope.freq_base", c.ropeTheta())
                .putF32(a + "attention.layer_norm_rms_epsilon", c.rmsNormEps());
    }

    private static void perLayer(GgufHeader h, String key, LlamaConfig c, java.util.function.ToIntFunction<LayerShape> f) {
        int[] v = c.layers().stream().mapToInt(f).toArray();
        if (c.layers().stream().mapToInt(f).distinct().count() == 1) {
            h.putU32(key, v[0]);
        } else {
            h.putI32s(key, v);
        }
    }

    /** A SentencePiece ('llama') vocabulary: pieces, scores, llama.cpp token types, special ids, BOS added. */
    static void tokenizer(GgufHeader h, SentencePieceBpe v) {
        int n = v.vocabSize();
        List<String> pieces = new ArrayList<>(n);
        float[] scores = new float[n];
        int[] types = new int[n];
        for (int i = 0; i < n; i++) {
            pieces.add(v.piece(i));
            scores[i] = v.score(i);
            types[i] = v.type(i).ggufCode();
        }
        h.putString("tokenizer.ggml.model", "llama")
                .putStrings("tokenizer.ggml.tokens", pieces)
                .putF32s("tokenizer.ggml.scores", scores)
                .putI32s("tokenizer.ggml.token_type", types);
        if (v.bosId() >= 0) {
            h.putU32("tokenizer.ggml.bos_token_id", v.bosId());
        }
        if (v.eosId() >= 0) {
            h.putU32("tokenizer.ggml.eos_token_id", v.eosId());
        }
        if (v.unkId() >= 0) {
            h.putU32("tokenizer.ggml.unknown_token_id", v.unkId());
        }
        h.putBool("tokenizer.ggml.add_bos_token", v.bosId() >= 0)
                .putBool("tokenizer.ggml.add_eos_token", false)
                .putBool("tokenizer.ggml.add_space_prefix", true);
    }

    /** llama.cpp's size label: parameters in K/M/B/T with at least two significant digits ("6.8M", "260K", "7B"). */
    static String sizeLabel(long params) {
        double scaled;
        String suffix;
        if (params > 1e12) {
            scaled = params * 1e-12;
            suffix = "T";
        } else if (params > 1e9) {
            scaled = params * 1e-9;
            suffix = "B";
        } else if (params > 1e6) {
            scaled = params * 1e-6;
            suffix = "M";
        } else {
            scaled = params * 1e-3;
            suffix = "K";
        }
        int digits = String.valueOf(Math.round(scaled)).replaceFirst("^0+", "").length();
        int fix = Math.max(2 - digits, 0);
        return String.format(Locale.ROOT, "%." + fix + "f", scaled) + suffix;
    }
}
