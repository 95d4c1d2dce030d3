package prunekit.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.Model;
import prunekit.core.model.TensorNames;
import prunekit.core.model.TensorNames.Proj;
import prunekit.core.tokenize.SentencePieceBpe;

/**
 * Loads a llama2.c checkpoint (legacy v0 export) and its {@code tokenizer.bin} as a {@link Model}.
 *
 * <p>Checkpoint: 7 int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len;
 * vocab_size &lt; 0 means an unshared classifier), then float32 arrays: token_embedding (vocab, dim),
 * rms_att (L, dim), wq (L, dim, dim), wk (L, kv_dim, dim), wv (L, kv_dim, dim), wo (L, dim, dim),
 * rms_ffn (L, dim), w1 = gate (L, hidden, dim), w2 = down (L, dim, hidden), w3 = up (L, hidden, dim),
 * rms_final (dim), freq_cis_real and freq_cis_imag (seq_len, head_size/2) each, [wcls (vocab, dim)].
 * q/k rows are permuted from interleaved RoPE pairs to HF's rotate-half layout, as for GGUF.
 * rms eps 1e-5, rope theta 10000, max positions = seq_len (llama2.c's fixed choices).
 *
 * <p>tokenizer.bin: int32 max_token_length, then per token float32 score, int32 length, UTF-8
 * bytes. Pieces use ' ' where SentencePiece has '▁'; BOS/EOS are stored as "\n&lt;s&gt;\n" and
 * "\n&lt;/s&gt;\n". Ids follow llama2.c: unk 0, BOS 1, EOS 2.
 */
public final class Llama2cReader {
    private static final int HEADER_BYTES = 7 * 4;
    private static final int MAGIC_V1 = 0x616b3432; // "ak42": llama2.c's versioned exports

    private Llama2cReader() {
    }

    /** The 7-int header; {@code shared} when the classifier is the embedding. */
    private record Header(int dim, int hidden, int layers, int heads, int kvHeads, int vocab, boolean shared, int seqLen) {
        int headSize() {
            return dim / heads;
        }

        int kvDim() {
            return kvHeads * headSize();
        }

        /** Bytes the whole file must have. */
        long expectedBytes() {
            long d = dim, l = layers, kv = kvDim(), h = hidden, v = vocab;
            long floats = v * d + l * d + l * d * d + 2 * l * kv * d + l * d * d + l * d + 3 * l * h * d + d
                    + 2L * seqLen * (headSize() / 2) + (shared ? 0 : v * d);
            return HEADER_BYTES + 4 * floats;
        }

        @Override
        public String toString() {
            return "dim " + dim + ", hidden_dim " + hidden + ", n_layers " + layers + ", n_heads " + heads
                    + ", n_kv_heads " + kvHeads + ", vocab_size " + (shared ? vocab : -vocab) + ", seq_len " + seqLen;
        }
    }

    /** Reads {@code bin} into memory (fp32): every tensor through {@link #openWeights}. */
    public static Model read(Path bin, Path tokenizerBin) {
        checkTokenizerFile(bin, tokenizerBin);
        try (TensorSource w = openWeights(bin)) {
            SentencePieceBpe tokenizer = readTokenizer(tokenizerBin, w.config().vocabSize());
            return new Model(w.config(), w.readAll(), tokenizer, bin.toString());
        }
    }

    /** A llama2.c checkpoint needs a tokenizer file: null or missing is an error saying so. */
    static void checkTokenizerFile(Path bin, Path tokenizerBin) {
        if (tokenizerBin == null) {
            throw new FormatException(bin, "a llama2.c checkpoint has no vocabulary of its own: "
                    + "pass --tokenizer tokenizer.bin (llama2.c's tokenizer file for this model)");
        }
        if (!Files.isRegularFile(tokenizerBin)) {
            throw new FormatException(tokenizerBin, "tokenizer file not found; pass --tokenizer tokenizer.bin "
                    + "(llama2.c's tokenizer file for this model)");
        }
    }

    /** The checkpoint's weights, read on demand; opening reads the 28-byte header only. */
    static TensorSource openWeights(Path bin) {
        FileChannel ch;
        try {
            ch = FileChannel.open(bin, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new FormatException(bin, "cannot read llama2.c checkpoint: " + e.getMessage(), e);
        }
        try {
            Header h = header(bin, ch);
            Map<String, Located> where = layout(h);
            Map<String, int[]> shapes = new LinkedHashMap<>();
            where.forEach((name, l) -> shapes.put(name, l.shape()));
            PositionalReads reads = new PositionalReads(PositionalReads.DEFAULT_BUFFER_BYTES);
            return new FileTensorSource(config(bin, h), DType.F32, bin, shapes, name -> {
                Located l = where.get(name);
                float[] out = new float[Math.toIntExact(FloatTensor.numel(l.shape()))];
                reads.read(ch, bin, l.offset(), 4L * out.length, 4,
                        (b, done) -> b.asFloatBuffer().get(out, (int) (done / 4), b.remaining() / 4));
                FloatTensor t = new FloatTensor(l.shape(), out);
                return l.ropeHeads() > 0 ? GgufReader.interleavedToRotateHalf(t, l.ropeHeads()) : t;
            }, ch);
        } catch (IOException | RuntimeException e) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // already failing; the first error is the one to report
            }
            if (e instanceof IOException io) {
                throw new FormatException(bin, "cannot read llama2.c checkpoint: " + io.getMessage(), io);
            }
            throw (RuntimeException) e;
        }
    }

    private static Header header(Path bin, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < HEADER_BYTES) {
            throw new FormatException(bin, "too short for a llama2.c checkpoint (" + size + " bytes, header needs 28)");
        }
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        PositionalReads.readFully(ch, bin, b, 0);
        b.flip();
        int[] v = new int[7];
        for (int i = 0; i < 7; i++) {
            v[i] = b.getInt();
        }
        if (v[0] == MAGIC_V1) {
            throw new FormatException(bin, "llama2.c export version " + v[1] + " (magic \"ak42\") is not supported; "
                    + "export with --version 0 (the legacy format)");
        }
        Header h = new Header(v[0], v[1], v[2], v[3], v[4], Math.abs(v[5]), v[5] > 0, v[6]);
        if (h.dim <= 0 || h.hidden <= 0 || h.layers <= 0 || h.heads <= 0 || h.kvHeads <= 0 || v[5] == 0
                || h.seqLen <= 0 || h.dim % h.heads != 0 || h.heads % h.kvHeads != 0 || h.headSize() % 2 != 0) {
            throw new FormatException(bin, "not a llama2.c v0 checkpoint: header (" + h + ") is inconsistent");
        }
        if (h.expectedBytes() != size) {
            throw new FormatException(bin, "file size mismatch: a llama2.c checkpoint with " + h + " has "
                    + h.expectedBytes() + " bytes, but found " + size + " bytes");
        }
        return h;
    }

    private static LlamaConfig config(Path bin, Header h) {
        try {
            return LlamaConfig.builder().vocabSize(h.vocab).hidden(h.dim).headDim(h.headSize())
                    .uniformLayers(h.layers, new LayerShape(h.heads, h.kvHeads, h.hidden))
                    .rmsNormEps(1e-5).ropeTheta(10000).tieWordEmbeddings(h.shared)
                    .bosId(1).eosId(2).maxPositions(h.seqLen).build();
        } catch (IllegalArgumentException e) {
            throw new FormatException(bin, e.getMessage(), e);
        }
    }

    /** One array stacked over layers: its HF name per layer, per-layer shape, RoPE heads to permute (0: none). */
    private record Stacked(IntFunction<String> name, int[] shape, int ropeHeads) {
    }

    /** Where a tensor's float32 values start in the file, its shape, and the heads to permute (0: none). */
    private record Located(long offset, int[] shape, int ropeHeads) {
    }

    /** Every tensor under its HF name, in file order; q/k marked for rotate-half. */
    private static Map<String, Located> layout(Header h) {
        int d = h.dim, kv = h.kvDim(), f = h.hidden;
        List<Stacked> stacked = List.of(
                new Stacked(TensorNames::inputNorm, new int[] {d}, 0), // rms_att
                new Stacked(i -> TensorNames.weight(i, Proj.Q), new int[] {d, d}, h.heads), // wq
                new Stacked(i -> TensorNames.weight(i, Proj.K), new int[] {kv, d}, h.kvHeads), // wk
                new Stacked(i -> TensorNames.weight(i, Proj.V), new int[] {kv, d}, 0), // wv
                new Stacked(i -> TensorNames.weight(i, Proj.O), new int[] {d, d}, 0), // wo
                new Stacked(TensorNames::postAttentionNorm, new int[] {d}, 0), // rms_ffn
                new Stacked(i -> TensorNames.weight(i, Proj.GATE), new int[] {f, d}, 0), // w1
                new Stacked(i -> TensorNames.weight(i, Proj.DOWN), new int[] {d, f}, 0), // w2
                new Stacked(i -> TensorNames.weight(i, Proj.UP), new int[] {f, d}, 0)); // w3
        Map<String, Located> m = new LinkedHashMap<>();
        long pos = HEADER_BYTES;
        pos = put(m, TensorNames.EMBED, pos, new int[] {h.vocab, d}, 0);
        for (Stacked s : stacked) {
            for (int i = 0; i < h.layers; i++) {
                pos = put(m, s.name().apply(i), pos, s.shape(), s.ropeHeads());
            }
        }
        pos = put(m, TensorNames.FINAL_NORM, pos, new int[] {d}, 0);
        pos += 4L * 2 * h.seqLen * (h.headSize() / 2); // freq_cis_real, freq_cis_imag: RoPE tables, recomputed
        if (!h.shared) {
            put(m, TensorNames.LM_HEAD, pos, new int[] {h.vocab, d}, 0);
        }
        return m;
    }

    /** Adds a tensor at {@code pos}; returns where the next one starts. */
    private static long put(Map<String, Located> m, String name, long pos, int[] shape, int ropeHeads) {
        m.put(name, new Located(pos, shape, ropeHeads));
        return pos + 4 * FloatTensor.numel(shape);
    }

    /** Reads llama2.c's {@code tokenizer.bin}; more tokens than {@code embeddingRows} is an error. */
    public static SentencePieceBpe readTokenizer(Path file, int embeddingRows) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new FormatException(file, "cannot read tokenizer: " + e.getMessage(), e);
        }
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < 4) {
            throw new FormatException(file, "too short for a llama2.c tokenizer.bin");
        }
        int maxLen = b.getInt();
        if (maxLen <= 0) {
            throw new FormatException(file, "max_token_length is " + maxLen + "; not a llama2.c tokenizer.bin?");
        }
        List<String> pieces = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        while (b.hasRemaining()) {
            int i = pieces.size();
            if (b.remaining() < 8) {
                throw new FormatException(file, "truncated at token " + i + " (" + b.remaining() + " bytes left)");
            }
            float score = b.getFloat();
            int len = b.getInt();
            if (len < 0 || len > b.remaining()) {
                throw new FormatException(file, "token " + i + " has length " + len + " with " + b.remaining()
                        + " bytes left (max_token_length " + maxLen + "); not a llama2.c tokenizer.bin?");
            }
            byte[] piece = new byte[len];
            b.get(piece);
            pieces.add(sentencePieceForm(new String(piece, StandardCharsets.UTF_8)));
            scores.add(score);
        }
        if (pieces.size() > embeddingRows) {
            throw new FormatException(file, "the tokenizer has " + pieces.size() + " tokens but the checkpoint's "
                    + "embedding has only " + embeddingRows + " rows; is this the tokenizer of this model?");
        }
        float[] s = new float[scores.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = scores.get(i);
        }
        try {
            return SentencePieceBpe.builder().pieces(pieces).scores(s).bosId(1).eosId(2).unkId(0).build();
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, e.getMessage(), e);
        }
    }

    /** llama2.c's piece text back to SentencePiece's: ' ' → '▁', "\n&lt;s&gt;\n" → "&lt;s&gt;". */
    private static String sentencePieceForm(String p) {
        if (p.length() > 2 && p.startsWith("\n<") && p.endsWith(">\n")) {
            return p.substring(1, p.length() - 1);
        }
        return p.replace(' ', '\u2581');
    }
}
