package prunekit.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static prunekit.core.io.GgufFileTest.assertProblem;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.TestModels;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.Model;
import prunekit.core.model.TensorNames;
import prunekit.core.model.TensorNames.Proj;
import prunekit.core.tokenize.SentencePieceBpe;

/** GGUF → Model: stories260K's config and weights, a synthetic round trip, and bad models. */
class GgufReaderTest {
    @TempDir
    Path tmp;

    @Test
    void loadsStories260K() {
        Model m = GgufReader.read(GgufFileTest.stories());
        LlamaConfig c = m.config();
        assertEquals(64, c.hidden());
        assertEquals(5, c.numLayers());
        assertEquals(8, c.headDim());
        assertTrue(c.isUniform());
        assertEquals(new LayerShape(8, 4, 172), c.layer(0));
        assertEquals(512, c.vocabSize());
        assertTrue(c.tieWordEmbeddings(), "output.weight is a copy of token_embd.weight: tied");
        assertEquals(1e-5, c.rmsNormEps());
        assertEquals(10000, c.ropeTheta());
        assertEquals(2048, c.maxPositions());
        assertEquals(1, c.bosId());
        assertEquals(2, c.eosId());
        assertEquals(DType.F32, m.weights().storedDtype());
        assertEquals(c.parameterCount(), m.weights().countParameters());
        SentencePieceBpe tok = assertInstanceOf(SentencePieceBpe.class, m.tokenizer());
        assertEquals(512, tok.vocabSize());
    }

    @Test
    void permutesQueryAndKeyRowsPerHead() {
        Model m = GgufReader.read(GgufFileTest.stories());
        GgufFile g = GgufFile.open(GgufFileTest.stories());
        int hd = 8;
        for (String[] pair : new String[][] {{"blk.3.attn_q.weight", TensorNames.weight(3, Proj.Q)},
                {"blk.3.attn_k.weight", TensorNames.weight(3, Proj.K)}}) {
            FloatTensor raw = g.read(pair[0]);
            FloatTensor hf = m.weights().get(pair[1]);
            int cols = raw.dim(1);
            for (int h = 0; h < raw.dim(0) / hd; h++) {
                for (int k = 0; k < 2; k++) {
                    for (int j = 0; j < hd / 2; j++) {
                        for (int col = 0; col < cols; col++) {
                            assertEquals(raw.data()[(h * hd + 2 * j + k) * cols + col],
                                    hf.data()[(h * hd + k * hd / 2 + j) * cols + col]);
                        }
                    }
                }
            }
        }
        assertEquals(g.read("blk.3.attn_v.weight"), m.weights().get(TensorNames.weight(3, Proj.V)));
    }

    /** A small untied model written as GGUF by the test (q/k permuted back to interleaved) reads back equal. */
    @Test
    void roundTripsSyntheticModel() {
        LlamaConfig c = LlamaConfig.builder().vocabSize(20).hidden(16).headDim(4)
                .uniformLayers(2, new LayerShape(4, 2, 24)).tieWordEmbeddings(false).rmsNormEps(1e-6)
                .ropeTheta(500000).maxPositions(128).build();
        LlamaWeights w = TestModels.random(c, 42, 0.1);
        Path f = ggufOf(w, pieces(20)).write(tmp.resolve("tiny.gguf"));
        Model m = GgufReader.read(f);
        assertEquals(c, m.config());
        for (Map.Entry<String, FloatTensor> e : w.tensors().entrySet()) {
            assertEquals(e.getValue(), m.weights().get(e.getKey()), e.getKey());
        }
    }

    @Test
    void rejectsOtherArchitecture() {
        Path f = new GgufTestWriter(3).str("general.architecture", "gpt2").write(tmp.resolve("gpt2.gguf"));
        assertProblem(f, "general.architecture is 'gpt2'", () -> GgufReader.read(f));
    }

    @Test
    void rejectsTokenizerLargerThanEmbedding() {
        LlamaConfig c = LlamaConfig.builder().vocabSize(20).hidden(16).headDim(4)
                .uniformLayers(1, new LayerShape(4, 2, 24)).tieWordEmbeddings(true).build();
        Path f = ggufOf(TestModels.random(c, 1, 0.1), pieces(21)).write(tmp.resolve("big-vocab.gguf"));
        assertProblem(f, "the tokenizer has 21 tokens but token_embd.weight has only 20 rows", () -> GgufReader.read(f));
    }

    @Test
    void rejectsMetadataThatContradictsShapes() {
        LlamaConfig c = LlamaConfig.builder().vocabSize(20).hidden(16).headDim(4)
                .uniformLayers(1, new LayerShape(4, 2, 24)).tieWordEmbeddings(true).build();
        Path f = ggufOf(TestModels.random(c, 1, 0.1), pieces(20)).u32("llama.feed_forward_length", 32)
                .write(tmp.resolve("ffn.gguf"));
        assertProblem(f, "feed_forward_length", () -> GgufReader.read(f));
    }

    /** "<unk>", "<s>", "</s>", then "▁a", "▁b", ... */
    static List<String> pieces(int n) {
        List<String> p = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        for (int i = 3; i < n; i++) {
            p.add("\u2581" + (char) ('a' + i - 3));
        }
        return p;
    }

    /** The GGUF form of HF weights: GGUF names, q/k rows back in interleaved order. */
    static GgufTestWriter ggufOf(LlamaWeights w, List<String> pieces) {
        LlamaConfig c = w.config();
        LayerShape s = c.layer(0);
        GgufTestWriter g = new GgufTestWriter(3).str("general.architecture", "llama")
                .u32("llama.embedding_length", c.hidden()).u32("llama.block_count", c.numLayers())
                .u32("llama.feed_forward_length", s.ffn()).u32("llama.attention.head_count", s.queryHeads())
                .u32("llama.attention.head_count_kv", s.kvHeads()).u32("llama.context_length", c.maxPositions())
                .f32("llama.attention.layer_norm_rms_epsilon", (float) c.rmsNormEps())
                .f32("llama.rope.freq_base", (float) c.ropeTheta())
                .str("tokenizer.ggml.model", "llama").strings("tokenizer.ggml.tokens", pieces)
                .floats("tokenizer.ggml.scores", new float[pieces.size()]);
        g.tensor("token_embd.weight", w.get(TensorNames.EMBED));
        for (int i = 0; i < c.numLayers(); i++) {
            g.tensor("blk." + i + ".attn_norm.weight", w.get(TensorNames.inputNorm(i)));
            g.tensor("blk." + i + ".attn_q.weight", toInterleaved(w.get(TensorNames.weight(i, Proj.Q)), s.queryHeads()));
            g.tensor("blk." + i + ".attn_k.weight", toInterleaved(w.get(TensorNames.weight(i, Proj.K)), s.kvHeads()));
            g.tensor("blk." + i + ".attn_v.weight", w.get(TensorNames.weight(i, Proj.V)));
            g.tensor("blk." + i + ".attn_output.weight", w.get(TensorNames.weight(i, Proj.O)));
            g.tensor("blk." + i + ".ffn_norm.weight", w.get(TensorNames.postAttentionNorm(i)));
            g.tensor("blk." + i + ".ffn_gate.weight", w.get(TensorNames.weight(i, Proj.GATE)));
            g.tensor("blk." + i + ".ffn_up.weight", w.get(TensorNames.weight(i, Proj.UP)));
            g.tensor("blk." + i + ".ffn_down.weight", w.get(TensorNames.weight(i, Proj.DOWN)));
        }
        g.tensor("output_norm.weight", w.get(TensorNames.FINAL_NORM));
        if (!c.tieWordEmbeddings()) {
            g.tensor("output.weight", w.get(TensorNames.LM_HEAD));
        }
        return g;
    }

    /** HF rotate-half rows → interleaved: row (h, 2j + k) = HF row (h, k·hd/2 + j), as llama.cpp's converter. */
    static FloatTensor toInterleaved(FloatTensor hf, int heads) {
        int hd = hf.dim(0) / heads;
        int[] rows = new int[hf.dim(0)];
        for (int h = 0; h < heads; h++) {
            for (int j = 0; j < hd / 2; j++) {
                for (int k = 0; k < 2; k++) {
                    rows[h * hd + 2 * j + k] = h * hd + k * hd / 2 + j;
                }
            }
        }
        return hf.selectRows(rows);
    }
}
