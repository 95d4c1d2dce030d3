package prunekit.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static prunekit.core.io.GgufFileTest.assertProblem;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.SharedFiles;
import prunekit.core.TestModels;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.Model;
import prunekit.core.model.TensorNames;
import prunekit.core.model.TensorNames.Proj;
import prunekit.core.tokenize.SentencePieceBpe;

/** llama2.c checkpoints: a synthetic untied model, then stories260K.bin against the GGUF (needs ../shared). */
class Llama2cReaderTest {
    @TempDir
    Path tmp;

    @Test
    void readsSyntheticUntiedCheckpoint() throws IOException {
        LlamaConfig c = LlamaConfig.builder().vocabSize(20).hidden(16).headDim(4)
                .uniformLayers(2, new LayerShape(4, 2, 24)).tieWordEmbeddings(false).maxPositions(32).build();
        LlamaWeights w = TestModels.random(c, 3, 0.1);
        Path bin = Files.write(tmp.resolve("tiny.bin"), checkpointOf(w));
        Path tok = Files.write(tmp.resolve("tok.bin"), tokenizerBin(GgufReaderTest.pieces(20)));
        Model m = Llama2cReader.read(bin, tok);
        assertEquals(c, m.config());
        for (Map.Entry<String, FloatTensor> e : w.tensors().entrySet()) {
            assertEquals(e.getValue(), m.weights().get(e.getKey()), e.getKey());
        }
        SentencePieceBpe t = (SentencePieceBpe) m.tokenizer();
        assertEquals("<s>", t.piece(1));
        assertEquals("\u2581a", t.piece(3));
        assertEquals(SentencePieceBpe.TokenType.CONTROL, t.type(2));
    }

    @Test
    void sharedStories260KBinMatchesGguf() {
        Path bin = SharedFiles.require("models/stories260K.bin");
        Path tok = SharedFiles.require("models/tok512.bin");
        Model fromBin = Llama2cReader.read(bin, tok);
        Model fromGguf = GgufReader.read(GgufFileTest.stories());
        assertEquals(512, fromBin.config().maxPositions()); // seq_len; the GGUF says context_length 2048
        assertEquals(fromGguf.config(), fromBin.config().toBuilder().maxPositions(2048).build());
        for (Map.Entry<String, FloatTensor> e : fromGguf.weights().tensors().entrySet()) {
            FloatTensor b = fromBin.weights().get(e.getKey());
            assertArrayEquals(e.getValue().shape(), b.shape(), e.getKey());
            for (int i = 0; i < b.data().length; i++) {
                if (Float.floatToRawIntBits(b.data()[i]) != Float.floatToRawIntBits(e.getValue().data()[i])) {
                    throw new AssertionError(e.getKey() + "[" + i + "]: bin " + b.data()[i] + " gguf " + e.getValue().data()[i]);
                }
            }
        }
        SentencePieceBpe a = (SentencePieceBpe) fromBin.tokenizer();
        SentencePieceBpe g = (SentencePieceBpe) fromGguf.tokenizer();
        assertEquals(g.vocabSize(), a.vocabSize());
        for (int i = 0; i < g.vocabSize(); i++) {
            assertEquals(g.piece(i), a.piece(i), "piece " + i);
            assertEquals(g.type(i), a.type(i), "type of " + g.piece(i));
            assertEquals(g.score(i), a.score(i), 0.0, "score of " + g.piece(i));
        }
        for (String s : List.of("Once upon a time", "Lily and Tom went to the park.\n\"Look!\"", "Xin chào Việt Nam 🙂")) {
            assertArrayEquals(g.encode(s), a.encode(s), s);
            assertEquals(s, a.decode(a.encode(s)));
        }
    }

    @Test
    void sharedRejectsSizeMismatch() throws IOException {
        byte[] b = Files.readAllBytes(SharedFiles.require("models/stories260K.bin"));
        Path f = Files.write(tmp.resolve("long.bin"), Arrays.copyOf(b, b.length + 4));
        Path tok = SharedFiles.require("models/tok512.bin");
        assertProblem(f, "has " + b.length + " bytes, but found " + (b.length + 4) + " bytes", () -> Llama2cReader.read(f, tok));
    }

    @Test
    void sharedRejectsTokenizerLargerThanEmbedding() throws IOException {
        byte[] tok = Files.readAllBytes(SharedFiles.require("models/tok512.bin"));
        ByteBuffer extra = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN).putFloat(-1000).putInt(2).put((byte) 'z').put((byte) 'z');
        byte[] bigger = Arrays.copyOf(tok, tok.length + 10);
        System.arraycopy(extra.array(), 0, bigger, tok.length, 10);
        Path f = Files.write(tmp.resolve("tok513.bin"), bigger);
        Path bin = SharedFiles.require("models/stories260K.bin");
        assertProblem(f, "the tokenizer has 513 tokens but the checkpoint's embedding has only 512 rows",
                () -> Llama2cReader.read(bin, f));
    }

    @Test
    void asksForTheTokenizer() throws IOException {
        Path bin = Files.write(tmp.resolve("x.bin"), new byte[28]);
        assertProblem(bin, "pass --tokenizer tokenizer.bin", () -> Llama2cReader.read(bin, null));
        Path missing = tmp.resolve("missing.bin");
        assertProblem(missing, "pass --tokenizer tokenizer.bin", () -> Llama2cReader.read(bin, missing));
        Path tok = Files.write(tmp.resolve("tok.bin"), tokenizerBin(GgufReaderTest.pieces(4)));
        assertProblem(bin, "header (dim 0", () -> Llama2cReader.read(bin, tok));
        assertFalse(Files.exists(missing));
    }

    /** llama2.c's legacy layout of HF weights (q/k back to interleaved rows); untied gives a negative vocab_size. */
    static byte[] checkpointOf(LlamaWeights w) {
        LlamaConfig c = w.config();
        LayerShape s = c.layer(0);
        int seqLen = c.maxPositions();
        int hs = c.headDim();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int vocab = c.tieWordEmbeddings() ? c.vocabSize() : -c.vocabSize();
        put(out, new int[] {c.hidden(), s.ffn(), c.numLayers(), s.queryHeads(), s.kvHeads(), vocab, seqLen});
        put(out, w.get(TensorNames.EMBED));
        for (int kind = 0; kind < 9; kind++) {
            for (int i = 0; i < c.numLayers(); i++) {
                put(out, switch (kind) {
                    case 0 -> w.get(TensorNames.inputNorm(i));
                    case 1 -> GgufReaderTest.toInterleaved(w.get(TensorNames.weight(i, Proj.Q)), s.queryHeads());
                    case 2 -> GgufReaderTest.toInterleaved(w.get(TensorNames.weight(i, Proj.K)), s.kvHeads());
                    case 3 -> w.get(TensorNames.weight(i, Proj.V));
                    case 4 -> w.get(TensorNames.weight(i, Proj.O));
                    case 5 -> w.get(TensorNames.postAttentionNorm(i));
                    case 6 -> w.get(TensorNames.weight(i, Proj.GATE));
                    case 7 -> w.get(TensorNames.weight(i, Proj.DOWN));
                    default -> w.get(TensorNames.weight(i, Proj.UP));
                });
            }
        }
        put(out, w.get(TensorNames.FINAL_NORM));
        put(out, FloatTensor.zeros(2 * seqLen * hs / 2)); // freq_cis_real, freq_cis_imag
        if (!c.tieWordEmbeddings()) {
            put(out, w.get(TensorNames.LM_HEAD));
        }
        return out.toByteArray();
    }

    /** llama2.c's tokenizer.bin: '▁' stored as ' ', BOS/EOS wrapped in newlines. */
    static byte[] tokenizerBin(List<String> pieces) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        put(out, new int[] {16});
        for (int i = 0; i < pieces.size(); i++) {
            String p = i == 1 || i == 2 ? "\n" + pieces.get(i) + "\n" : pieces.get(i).replace('\u2581', ' ');
            byte[] b = p.getBytes(StandardCharsets.UTF_8);
            ByteBuffer bb = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(-i).putInt(b.length);
            out.writeBytes(bb.array());
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    private static void put(ByteArrayOutputStream out, int[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) {
            b.putInt(x);
        }
        out.writeBytes(b.array());
    }

    private static void put(ByteArrayOutputStream out, FloatTensor t) {
        ByteBuffer b = ByteBuffer.allocate(4 * t.data().length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : t.data()) {
            b.putFloat(f);
        }
        out.writeBytes(b.array());
    }
}
