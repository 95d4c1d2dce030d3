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
import prunekit.core.model.LlamaWeights;
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

    public static Model read(Path bin, Path tokenizerBin) {
        if (tokenizerBin == null) {
            throw new FormatException(bin, "a llama2.c checkpoint has no vocabulary of its own: "
                    + "pass --tokenizer tokenizer.bin (llama2.c's tokenizer file for this model)");
        }
        if (!Files.isRegularFile(tokenizerBin)) {
            throw new FormatException(tokenizerBin, "tokenizer file not found; pass --tokenizer tokenizer.bin "
                    + "(llama2.c's tokenizer file for this model)");
        }
        try (FileChannel ch = FileChannel.open(bin, StandardOpenOption.READ)) {
            Header h = header(bin, ch);
            LlamaConfig config = config(bin, h);
            SentencePieceBpe tokenizer = readTokenizer(tokenizerBin, h.vocab);
            LlamaWeights weights = new LlamaWeights(config, tensors(h, new Cursor(ch)), DType.F32);
            return new Model(config, weights, tokenizer, bin.toString());
        } catch (IOException e) {
            throw new FormatException(bin, "cannot read llama2.c checkpoint: " + e.getMessage(), e);
        }
    }

    private static Header header(Path bin, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < HEADER_BYTES) {
            throw new FormatException(bin, "too short for a llama2.c checkpoint (" + size + " bytes, header needs 28)");
        }
        ByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, 0, HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
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

    /** Reads consecutive float32 arrays from the mapped file. */
    private static final class Cursor {
        private final FileChannel ch;
        private long pos = HEADER_BYTES;

        Cursor(FileChannel ch) {
            this.ch = ch;
        }

        FloatTensor next(int... shape) throws IOException {
            float[] out = new float[Math.toIntExact(FloatTensor.numel(shape))];
            int chunk = 1 << 28; // floats per mapping (1 GiB)
            for (int done = 0; done < out.length; done += chunk) {
                int n = Math.min(chunk, out.length - done);
                ch.map(FileChannel.MapMode.READ_ONLY, pos, 4L * n).order(ByteOrder.LITTLE_ENDIAN)
                        .asFloatBuffer().get(out, done, n);
                pos += 4L * n;
            }
            return new FloatTensor(shape, out);
        }

        void skip(long floats) {
            pos += 4 * floats;
        }
    }

    /** One array stacked over layers: its HF name per layer, per-layer shape, RoPE heads to permute (0: none). */
    private record Stacked(IntFunction<String> name, int[] shape, int ropeHeads) {
    }

    /** All tensors under HF names, in file order; q/k permuted to rotate-half. */
    private static Map<String, FloatTensor> tensors(Header h, Cursor c) throws IOException {
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
        Map<String, FloatTensor> m = new LinkedHashMap<>();
        m.put(TensorNames.EMBED, c.next(h.vocab, d));
        for (Stacked s : stacked) {
            for (int i = 0; i < h.layers; i++) {
                FloatTensor t = c.next(s.shape());
                m.put(s.name().apply(i), s.ropeHeads() > 0 ? GgufReader.interleavedToRotateHalf(t, s.ropeHeads()) : t);
            }
        }
        m.put(TensorNames.FINAL_NORM, c.next(d));
        c.skip(2L * h.seqLen * (h.headSize() / 2)); // freq_cis_real, freq_cis_imag: RoPE tables, recomputed
        if (!h.shared) {
            m.put(TensorNames.LM_HEAD, c.next(h.vocab, d));
        }
        return m;
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
