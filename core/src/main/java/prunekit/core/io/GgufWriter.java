package prunekit.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.Model;
import prunekit.core.model.RopeScaling;
import prunekit.core.model.TensorNames;
import prunekit.core.model.TensorNames.Proj;
import prunekit.core.tokenize.SentencePieceBpe;
import prunekit.core.tokenize.Tokenizer;

/**
 * Writes a {@link Model} as a GGUF v3 file for llama.cpp: the hyper-parameters, the SentencePiece
 * vocabulary, and the tensors under GGUF names with q/k rows permuted back from HF's rotate-half
 * layout to GGUF's interleaved pairs (the inverse of what {@link GgufReader} does on load).
 *
 * <p>A uniform model is {@code general.architecture = llama}. A model whose layers differ is
 * {@code deci}, with per-layer int32 arrays for {@code attention.head_count}, {@code head_count_kv}
 * and {@code feed_forward_length}: llama.cpp's {@code llama} loader reads those arrays but sizes
 * every layer's tensors like layer 0 (check_tensor_dims rejects the file), while {@code deci}
 * (its architecture for NAS-pruned LLaMA models) takes each layer's own shape, with the same
 * tensors, RoPE and tokenizer; it also runs layers without attention (head counts 0), whose
 * attention tensors and norm are then absent. A layer with attention but FFN width 0 is refused:
 * llama.cpp's deci graph ends such a layer before adding its attention output to the residual.
 *
 * <p>2-D weights take the requested {@link GgmlType}; norms stay F32; a Q8_0 request falls back to
 * F16 for a matrix whose rows are not whole 32-value blocks (as llama.cpp's converter does). Every
 * offset is computed from the shapes first, then the header and each tensor are written in turn to a
 * temporary file that is renamed when complete. A model the llama architecture cannot express fails
 * before anything is written.
 */
public final class GgufWriter {
    private GgufWriter() {
    }

    /** {@code type}: of the 2-D weights; {@code name}: general.name; {@code provenance}: general.description. */
    public record Options(GgmlType type, String name, String provenance) {
        public Options {
            if (type == null || name == null || name.isBlank() || provenance == null) {
                throw new IllegalArgumentException("GGUF options need a tensor type, a name and a provenance string");
            }
        }

        public static Options of(GgmlType type, String name) {
            return new Options(type, name, "written by prunekit");
        }

        public Options withProvenance(String p) {
            return new Options(type, name, p);
        }
    }

    /** What was written: the file, its size and how many tensors of each type. */
    public record Result(Path file, long bytes, Map<GgmlType, Integer> tensorTypes) {
        public Result {
            tensorTypes = java.util.Collections.unmodifiableMap(new EnumMap<>(tensorTypes));
        }
    }

    /** One tensor to write: its GGUF name and dims, type, offset, source and the heads to re-interleave (0: none). */
    private record Entry(String gguf, String hf, long[] ne, GgmlType type, long offset, int ropeHeads) {
        long bytes() {
            long n = 1;
            for (long d : ne) {
                n *= d;
            }
            return type.bytesFor(n);
        }
    }

    public static Result write(Model model, Path out, Options opts) {
        return write(new LazyModel(TensorSource.of(model.weights(), model.source()), model.tokenizer()), out, opts);
    }

    /** Streamed: offsets from the shapes first, then each tensor read, encoded, written and released in turn. */
    public static Result write(LazyModel model, Path out, Options opts) {
        LlamaConfig c = model.config();
        requireRepresentable(c);
        SentencePieceBpe vocab = vocabulary(model.tokenizer());
        List<Entry> entries = plan(c, model.weights().shapes(), opts.type());
        GgufHeader header = new GgufHeader();
        String arch = architecture(c);
        GgufMetadata.general(header, arch, c, opts, fileType(opts.type()));
        GgufMetadata.hyperParameters(header, arch, c);
        GgufMetadata.tokenizer(header, vocab);
        Map<GgmlType, Integer> types = new EnumMap<>(GgmlType.class);
        for (Entry e : entries) {
            header.tensor(e.gguf(), e.ne(), e.type(), e.offset());
            types.merge(e.type(), 1, Integer::sum);
        }
        byte[] head = header.toBytes();
        Entry last = entries.get(entries.size() - 1);
        long size = head.length + last.offset() + last.bytes();
        AtomicFiles.write(out, tmp -> writeFile(tmp, head, entries, model.weights()));
        return new Result(out, size, types);
    }

    /** {@code llama} for a stock uniform model; {@code deci} when layers differ or a layer lacks a block. */
    static String architecture(LlamaConfig c) {
        boolean wholeBlocks = c.layers().stream().allMatch(s -> s.hasAttention() && s.hasMlp());
        return c.isUniform() && wholeBlocks ? "llama" : "deci";
    }

    /** What llama.cpp's architectures cannot express, checked before anything is written; one line each. */
    static void requireRepresentable(LlamaConfig c) {
        for (int i = 0; i < c.numLayers(); i++) {
            if (c.layer(i).hasAttention() && !c.layer(i).hasMlp()) {
                throw new IllegalArgumentException("cannot write GGUF: layer " + i + " has attention but no MLP, and llama.cpp's"
                        + " 'deci' graph skips the rest of a layer of FFN width 0 (its attention output is lost); keep at"
                        + " least one FFN channel there or drop the whole layer");
            }
        }
        if (c.attentionBias() || c.mlpBias()) {
            throw new IllegalArgumentException("cannot write GGUF: the model has " + (c.attentionBias() ? "attention" : "MLP")
                    + " biases (FLAP bias compensation?); prunekit's GGUF writer writes bias-free LLaMA models only");
        }
        if (c.ropeScaling().type() != RopeScaling.Type.NONE) {
            throw new IllegalArgumentException("cannot write GGUF: RoPE scaling " + c.ropeScaling().type()
                    + " is not written by prunekit's GGUF writer (it needs llama.cpp's rope_freqs tensor)");
        }
    }

    private static SentencePieceBpe vocabulary(Tokenizer t) {
        if (t == null) {
            throw new IllegalArgumentException("cannot write GGUF: the model has no tokenizer (llama.cpp needs the "
                    + "vocabulary in the file; load the model with its tokenizer.json)");
        }
        if (t instanceof SentencePieceBpe sp) {
            return sp;
        }
        try {
            return SentencePieceBpe.fromHuggingFaceJson(t.toHuggingFaceJson(), t.bosId(), t.eosId());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot write GGUF: " + e.getMessage(), e);
        }
    }

    /** Every tensor with its offset, in llama.cpp's order: embedding, layers, final norm, output head. */
    private static List<Entry> plan(LlamaConfig c, Map<String, int[]> shapes, GgmlType type) {
        record Slot(String gguf, String hf, int ropeHeads) { }
        List<Slot> slots = new ArrayList<>();
        slots.add(new Slot("token_embd.weight", TensorNames.EMBED, 0));
        for (int i = 0; i < c.numLayers(); i++) {
            LayerShape s = c.layer(i);
            for (Proj p : Proj.values()) {
                if (p.isAttention() ? !s.hasAttention() : !s.hasMlp()) {
                    continue; // 'deci': a block that is gone has no tensors, its norm included
                }
                if (p == Proj.Q || p == Proj.GATE) {
                    String norm = p == Proj.Q ? "attn_norm" : "ffn_norm";
                    slots.add(new Slot(GgufReader.blk(i, norm), p == Proj.Q ? TensorNames.inputNorm(i)
                            : TensorNames.postAttentionNorm(i), 0));
                }
                slots.add(new Slot(GgufReader.blk(i, GgufReader.GGUF_PROJ.get(p)), TensorNames.weight(i, p),
                        p == Proj.Q ? s.queryHeads() : p == Proj.K ? s.kvHeads() : 0));
            }
        }
        slots.add(new Slot("output_norm.weight", TensorNames.FINAL_NORM, 0));
        if (!c.tieWordEmbeddings()) {
            slots.add(new Slot("output.weight", TensorNames.LM_HEAD, 0));
        }
        List<Entry> entries = new ArrayList<>();
        long offset = 0;
        for (Slot slot : slots) {
            int[] shape = shapes.get(slot.hf()); // row-major; ne is it reversed
            long[] ne = new long[shape.length];
            for (int d = 0; d < shape.length; d++) {
                ne[d] = shape[shape.length - 1 - d];
            }
            GgmlType t = shape.length == 1 ? GgmlType.F32 : ne[0] % type.blockSize == 0 ? type : GgmlType.F16;
            Entry e = new Entry(slot.gguf(), slot.hf(), ne, t, offset, slot.ropeHeads());
            entries.add(e);
            offset = GgufHeader.padded(offset + e.bytes());
        }
        return entries;
    }

    private static void writeFile(Path tmp, byte[] head, List<Entry> entries, TensorSource weights) throws IOException {
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            AtomicFiles.writeFully(ch, ByteBuffer.wrap(head));
            for (Entry e : entries) {
                FloatTensor t = weights.read(e.hf());
                if (e.ropeHeads() > 0) {
                    t = GgufReader.rotateHalfToInterleaved(t, e.ropeHeads());
                }
                ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(GgufHeader.padded(e.bytes())));
                e.type().encode(t.data(), 0, t.data().length, b);
                b.position(b.capacity()).flip(); // zero padding to the next aligned offset
                long at = head.length + e.offset();
                if (ch.position() != at) {
                    throw new IllegalStateException("tensor " + e.gguf() + " would start at " + ch.position() + ", not " + at);
                }
                AtomicFiles.writeFully(ch, b);
                weights.release(e.hf());
            }
        }
    }

    /** general.file_type: llama.cpp's LLAMA_FTYPE_ALL_F32 / MOSTLY_F16 / MOSTLY_Q8_0 / MOSTLY_BF16. */
    private static int fileType(GgmlType t) {
        return switch (t) {
            case F32 -> 0;
            case F16 -> 1;
            case Q8_0 -> 7;
            case BF16 -> 32;
        };
    }
}
