package prunekit.core.io;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.Model;
import prunekit.core.model.TensorNames;
import prunekit.core.model.TensorNames.Proj;
import prunekit.core.tokenize.SentencePieceBpe;
import prunekit.core.tokenize.SentencePieceBpe.TokenType;

/**
 * Loads a LLaMA GGUF file ({@code general.architecture = llama}, or {@code deci}, llama.cpp's
 * architecture for LLaMA layers of per-layer shapes) as a {@link Model}: weights
 * renamed to the HF names of {@link TensorNames}, q/k rows permuted from GGUF's interleaved RoPE
 * pairs to HF's rotate-half layout, the config computed from the tensor shapes and checked against
 * the {@code llama.*} metadata, and the SentencePiece vocabulary as a {@link SentencePieceBpe}.
 */
public final class GgufReader {
    private GgufReader() {
    }

    /** GGUF tensor name of each projection in layer N: {@code blk.N.<suffix>.weight}. */
    static final Map<Proj, String> GGUF_PROJ = new EnumMap<>(Map.of(
            Proj.Q, "attn_q", Proj.K, "attn_k", Proj.V, "attn_v", Proj.O, "attn_output",
            Proj.GATE, "ffn_gate", Proj.UP, "ffn_up", Proj.DOWN, "ffn_down"));

    /** Reads {@code gguf} into memory (fp32): every tensor through {@link #openWeights}. */
    public static Model read(Path gguf) {
        GgufFile g = openLlama(gguf);
        LlamaConfig config = config(g);
        SentencePieceBpe tokenizer = tokenizer(g, config.vocabSize());
        try (TensorSource w = weights(g, config)) {
            return new Model(config, w.readAll(), tokenizer, gguf.toString());
        }
    }

    /** The file's weights, read on demand; opening parses the header only. */
    static TensorSource openWeights(Path gguf) {
        GgufFile g = openLlama(gguf);
        return weights(g, config(g));
    }

    /** The vocabulary of {@code gguf} (null when it has none), without its weights. */
    static SentencePieceBpe readTokenizer(Path gguf) {
        GgufFile g = openLlama(gguf);
        return tokenizer(g, g.tensor("token_embd.weight").shape()[0]);
    }

    private static GgufFile openLlama(Path gguf) {
        GgufFile g = GgufFile.open(gguf);
        String arch = g.getString("general.architecture", null);
        if (!"llama".equals(arch) && !"deci".equals(arch)) {
            throw new FormatException(gguf, "general.architecture is " + (arch == null ? "missing" : "'" + arch + "'")
                    + "; prunekit reads LLaMA-architecture GGUF files ('llama', or 'deci' for per-layer shapes)");
        }
        return g;
    }

    /**
     * Where an HF tensor lives in the GGUF file, and the heads to permute to rotate-half (0: none);
     * {@link #ONES} is the norm of a removed block, which the file does not hold.
     */
    private record Located(String ggufName, int ropeHeads) {
        static final Located ONES = new Located(null, 0);
    }

    private static TensorSource weights(GgufFile g, LlamaConfig config) {
        DType stored = storedDtype(g); // also rejects unsupported tensor types before any data is read
        Map<String, Located> where = locate(g, config);
        Map<String, int[]> shapes = new LinkedHashMap<>();
        where.forEach((hf, l) -> shapes.put(hf, l == Located.ONES ? new int[] {config.hidden()} : g.tensor(l.ggufName()).shape()));
        FileChannel ch = g.openChannel();
        PositionalReads reads = new PositionalReads(PositionalReads.DEFAULT_BUFFER_BYTES);
        try {
            return new FileTensorSource(config, stored, g.path(), shapes, name -> {
                Located l = where.get(name);
                if (l == Located.ONES) {
                    float[] ones = new float[config.hidden()];
                    Arrays.fill(ones, 1f);
                    return new FloatTensor(new int[] {config.hidden()}, ones);
                }
                FloatTensor w = g.read(l.ggufName(), ch, reads);
                return l.ropeHeads() > 0 ? interleavedToRotateHalf(w, l.ropeHeads()) : w;
            }, ch);
        } catch (RuntimeException e) {
            try {
                ch.close();
            } catch (java.io.IOException ignored) {
                // already failing; the first error is the one to report
            }
            throw e;
        }
    }

    static String blk(int layer, String what) {
        return "blk." + layer + "." + what + ".weight";
    }

    /** The config from tensor shapes (vocab, hidden, per-layer heads and FFN), checked against the metadata. */
    static LlamaConfig config(GgufFile g) {
        Path f = g.path();
        String a = g.getString("general.architecture") + "."; // llama.* or deci.* (same keys, per-layer shapes)
        int[] embed = g.tensor("token_embd.weight").shape(); // (vocab, hidden)
        int vocab = embed[0];
        int hidden = embed[1];
        expect(g, a + "embedding_length", hidden, "token_embd.weight has " + hidden + " columns");
        int numLayers = g.getInt(a + "block_count");
        int heads0 = perLayer(g, a + "attention.head_count", 0, numLayers);
        if (heads0 <= 0 && !g.has(a + "attention.key_length")) {
            throw new FormatException(f, "cannot tell the head dim: llama.attention.head_count is " + heads0);
        }
        int headDim = g.getInt(a + "attention.key_length", heads0 > 0 ? hidden / heads0 : 0);
        int rot = g.getInt(a + "rope.dimension_count", headDim);
        if (rot != headDim) {
            throw new FormatException(f, a + "rope.dimension_count is " + rot + " but the head dim is " + headDim
                    + "; partial rotary embeddings are not supported");
        }
        List<LayerShape> layers = new ArrayList<>();
        for (int i = 0; i < numLayers; i++) {
            int q = g.hasTensor(blk(i, "attn_q")) ? rows(g, blk(i, "attn_q"), headDim) : 0;
            int kv = g.hasTensor(blk(i, "attn_k")) ? rows(g, blk(i, "attn_k"), headDim) : 0;
            int ffn = g.hasTensor(blk(i, "ffn_gate")) ? g.tensor(blk(i, "ffn_gate")).shape()[0] : 0;
            expect(g, a + "attention.head_count", i, numLayers, q, "layer " + i + " has " + q + " query heads");
            expect(g, a + "attention.head_count_kv", i, numLayers, kv, "layer " + i + " has " + kv + " KV heads");
            expect(g, a + "feed_forward_length", i, numLayers, ffn, "layer " + i + " has FFN width " + ffn);
            try {
                layers.add(new LayerShape(q, kv, ffn));
            } catch (IllegalArgumentException e) { // e.g. attn_k without attn_q
                throw new FormatException(f, "layer " + i + ": " + e.getMessage(), e);
            }
        }
        String scaling = g.getString(a + "rope.scaling.type", "none");
        if (!scaling.equals("none") || g.hasTensor("rope_freqs.weight")) {
            throw new FormatException(f, "RoPE scaling (" + scaling + (g.hasTensor("rope_freqs.weight")
                    ? ", rope_freqs.weight" : "") + ") is not supported for GGUF; load the HF checkpoint instead");
        }
        try {
            return LlamaConfig.builder().vocabSize(vocab).hidden(hidden).headDim(headDim).layers(layers)
                    .rmsNormEps(g.getDouble(a + "attention.layer_norm_rms_epsilon", 1e-5))
                    .ropeTheta(g.getDouble(a + "rope.freq_base", 10000))
                    .tieWordEmbeddings(isTied(g))
                    .bosId(tokenId(g, "tokenizer.ggml.bos_token_id", 1))
                    .eosId(tokenId(g, "tokenizer.ggml.eos_token_id", 2))
                    .maxPositions(g.getInt(a + "context_length", 2048))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new FormatException(f, e.getMessage(), e);
        }
    }

    /** A special token id; absent gives {@code fallback}, uint32 -1 (0xFFFFFFFF, "none") gives -1. */
    private static int tokenId(GgufFile g, String key, int fallback) {
        if (!g.has(key)) {
            return fallback;
        }
        long v = g.getLong(key);
        if (v == 0xFFFFFFFFL || v == -1) {
            return -1;
        }
        return g.intValue(key, v);
    }

    /** Heads in a projection of (heads·headDim, hidden). */
    private static int rows(GgufFile g, String name, int headDim) {
        int rows = g.tensor(name).shape()[0];
        if (rows % headDim != 0) {
            throw new FormatException(g.path(), name + " has " + rows + " rows, not a multiple of the head dim " + headDim);
        }
        return rows / headDim;
    }

    /** A metadata value that is either one integer or an array with one per layer. */
    private static int perLayer(GgufFile g, String key, int layer, int numLayers) {
        Object v = g.get(key);
        if (v instanceof long[] a) {
            if (a.length != numLayers) {
                throw new FormatException(g.path(), key + " has " + a.length + " entries for " + numLayers + " layers");
            }
            return g.intValue(key, a[layer]);
        }
        return g.getInt(key);
    }

    private static void expect(GgufFile g, String key, int layer, int numLayers, int actual, String what) {
        if (key.endsWith("head_count_kv") && !g.has(key)) {
            key = key.substring(0, key.length() - "_kv".length()); // absent: as many KV heads as query heads
        }
        int meta = perLayer(g, key, layer, numLayers);
        if (meta != actual) {
            throw new FormatException(g.path(), "metadata " + key + " says " + meta + " but " + what);
        }
    }

    private static void expect(GgufFile g, String key, int actual, String what) {
        if (g.has(key) && g.getInt(key) != actual) {
            throw new FormatException(g.path(), "metadata " + key + " says " + g.getInt(key) + " but " + what);
        }
    }

    /** Tied when output.weight is absent or a bit-identical copy of the embedding (as some converters write). */
    private static boolean isTied(GgufFile g) {
        return !g.hasTensor("output.weight") || g.sameBytes("output.weight", "token_embd.weight");
    }

    /** Every HF tensor name with its GGUF tensor; q/k marked for rotate-half; unknown GGUF tensors are an error. */
    private static Map<String, Located> locate(GgufFile g, LlamaConfig c) {
        Map<String, Located> m = new LinkedHashMap<>();
        Set<String> unused = new LinkedHashSet<>();
        g.tensors().forEach(t -> unused.add(t.name()));
        m.put(TensorNames.EMBED, take(g, "token_embd.weight", 0, unused));
        for (int i = 0; i < c.numLayers(); i++) {
            LayerShape s = c.layer(i);
            m.put(TensorNames.inputNorm(i), normOrOnes(g, blk(i, "attn_norm"), s.hasAttention(), unused));
            m.put(TensorNames.postAttentionNorm(i), normOrOnes(g, blk(i, "ffn_norm"), s.hasMlp(), unused));
            for (Proj p : Proj.values()) {
                if (p.isAttention() ? !s.hasAttention() : !s.hasMlp()) {
                    continue;
                }
                int rope = p == Proj.Q ? s.queryHeads() : p == Proj.K ? s.kvHeads() : 0;
                m.put(TensorNames.weight(i, p), take(g, blk(i, GGUF_PROJ.get(p)), rope, unused));
            }
        }
        m.put(TensorNames.FINAL_NORM, take(g, "output_norm.weight", 0, unused));
        if (c.tieWordEmbeddings()) {
            unused.remove("output.weight");
        } else {
            m.put(TensorNames.LM_HEAD, take(g, "output.weight", 0, unused));
        }
        if (!unused.isEmpty()) {
            throw new FormatException(g.path(), "unexpected tensors for a LLaMA model: " + unused);
        }
        return m;
    }

    /** A block's norm; a removed block ('deci' files) has none, and its unused norm is ones. */
    private static Located normOrOnes(GgufFile g, String name, boolean blockPresent, Set<String> unused) {
        if (blockPresent || g.hasTensor(name)) {
            return take(g, name, 0, unused);
        }
        return Located.ONES;
    }

    private static Located take(GgufFile g, String name, int ropeHeads, Set<String> unused) {
        g.tensor(name); // a FormatException naming the missing tensor
        unused.remove(name);
        return new Located(name, ropeHeads);
    }

    /** The dtype holding most of the parameters (Q8_0 counts as F32, into which it dequantizes exactly). */
    private static DType storedDtype(GgufFile g) {
        Map<DType, Long> count = new EnumMap<>(DType.class);
        for (GgufTensorInfo t : g.tensors()) {
            GgmlType type = GgmlType.fromCode(t.typeCode());
            if (type == null) {
                throw new FormatException(g.path(), "tensor " + t.name() + " has ggml type " + t.typeName()
                        + "; prunekit reads F32, F16, BF16 and Q8_0 (re-convert the model with one of those)");
            }
            count.merge(type.storedAs, t.numel(), Long::sum);
        }
        return count.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(DType.F32);
    }

    /**
     * Permutes the rows of a q or k projection (heads·hd, in) from interleaved RoPE pairs (2j, 2j+1),
     * as in GGUF, Meta and llama2.c checkpoints, to HF's rotate-half pairs (j, j + hd/2):
     * new row (h, k·hd/2 + j) = old row (h, 2j + k), k ∈ {0, 1}, j ∈ [0, hd/2). This is the
     * permutation HF's {@code convert_llama_weights_to_hf} applies.
     */
    public static FloatTensor interleavedToRotateHalf(FloatTensor w, int heads) {
        return w.selectRows(rotateHalfRows(w.dim(0), heads));
    }

    /** The inverse of {@link #interleavedToRotateHalf}: HF's rotate-half rows back to GGUF's interleaved pairs. */
    public static FloatTensor rotateHalfToInterleaved(FloatTensor w, int heads) {
        int[] perm = rotateHalfRows(w.dim(0), heads);
        int[] inverse = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            inverse[perm[i]] = i;
        }
        return w.selectRows(inverse);
    }

    /** Row r of the rotate-half layout is row {@code perm[r]} of the interleaved one. */
    private static int[] rotateHalfRows(int rows, int heads) {
        if (heads <= 0 || rows % heads != 0 || (rows / heads) % 2 != 0) {
            throw new IllegalArgumentException("cannot split " + rows + " rows into " + heads + " heads of even size");
        }
        int hd = rows / heads;
        int half = hd / 2;
        int[] perm = new int[rows];
        for (int h = 0; h < heads; h++) {
            for (int k = 0; k < 2; k++) {
                for (int j = 0; j < half; j++) {
                    perm[h * hd + k * half + j] = h * hd + 2 * j + k;
                }
            }
        }
        return perm;
    }

    /** The SentencePiece vocabulary of {@code tokenizer.ggml.*}, or null when the file has none. */
    static SentencePieceBpe tokenizer(GgufFile g, int embeddingRows) {
        if (!g.has("tokenizer.ggml.tokens")) {
            return null;
        }
        String model = g.getString("tokenizer.ggml.model", "llama");
        if (!model.equals("llama")) {
            throw new FormatException(g.path(), "tokenizer.ggml.model is '" + model + "'; prunekit reads SentencePiece "
                    + "('llama') vocabularies from GGUF; load the HF checkpoint with its tokenizer.json instead");
        }
        List<String> pieces = g.getStringList("tokenizer.ggml.tokens");
        if (pieces.size() > embeddingRows) {
            throw new FormatException(g.path(), "the tokenizer has " + pieces.size()
                    + " tokens but token_embd.weight has only " + embeddingRows + " rows");
        }
        float[] scores = g.has("tokenizer.ggml.scores") ? g.getFloatArray("tokenizer.ggml.scores")
                : new float[pieces.size()];
        TokenType[] types = null;
        if (g.has("tokenizer.ggml.token_type")) {
            int[] codes = g.getIntArray("tokenizer.ggml.token_type");
            types = new TokenType[codes.length];
            for (int i = 0; i < codes.length; i++) {
                try {
                    types[i] = TokenType.fromGguf(codes[i]);
                } catch (IllegalArgumentException e) {
                    throw new FormatException(g.path(), "tokenizer.ggml.token_type[" + i + "]: " + e.getMessage(), e);
                }
            }
        }
        try {
            return SentencePieceBpe.builder().pieces(pieces).scores(scores).types(types)
                    .bosId(tokenId(g, "tokenizer.ggml.bos_token_id", 1))
                    .eosId(tokenId(g, "tokenizer.ggml.eos_token_id", 2))
                    .unkId(tokenId(g, "tokenizer.ggml.unknown_token_id", -1))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new FormatException(g.path(), "tokenizer: " + e.getMessage(), e);
        }
    }
}
