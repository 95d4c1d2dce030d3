package prunekit.pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import prunekit.core.engine.Transformer;
import prunekit.core.eval.Prompts;
import prunekit.core.io.LazyModel;
import prunekit.core.io.TensorSource;
import prunekit.core.model.Model;
import prunekit.core.tokenize.Tokenizer;
import prunekit.export.OnnxFolderWriter;
import prunekit.export.OnnxModel;
import prunekit.export.OnnxWriter;
import prunekit.export.ParityCheck;
import prunekit.export.ParityReport;

/** A model as an ONNX decoder with a KV cache, optionally checked against our forward in ONNX Runtime. */
public final class ExportStage {
    /** The prompts of the parity check when none are given. */
    public static final List<String> DEFAULT_PROMPTS = List.of("Once upon a time", "Việt Nam là một quốc gia");

    private ExportStage() {
    }

    /** {@code prompts} null: {@link #DEFAULT_PROMPTS}; {@code threads}: ONNX Runtime's for the check. */
    public record Options(OnnxWriter.Options writer, boolean verify, List<String> prompts, int threads) {
        public Options {
            if (writer == null) {
                throw new IllegalArgumentException("export needs writer options");
            }
            prompts = prompts == null ? DEFAULT_PROMPTS : List.copyOf(prompts);
        }
    }

    /** What was written; {@code parity} null without verification. */
    public record Result(OnnxWriter.Result written, OnnxWriter.Options writer, ParityReport parity) {
        public boolean passed() {
            return parity == null || parity.passed();
        }
    }

    /** {@code folder}: the HF ONNX model folder (config, tokenizer, onnx/model.onnx) instead of one file. */
    public static Result run(Model m, Path out, Options o, boolean folder) throws Exception {
        return run(new LazyModel(TensorSource.of(m.weights(), m.source()), m.tokenizer()), out, o, folder);
    }

    /**
     * On a model opened lazily: the single-file export reads one tensor at a time while it writes
     * (a model larger than memory streams to the data file); the folder and the parity check load it.
     */
    public static Result run(LazyModel lm, Path out, Options o, boolean folder) throws Exception {
        Model loaded = folder || o.verify() ? lm.load() : null;
        OnnxWriter.Result r = folder ? OnnxFolderWriter.write(loaded, out, o.writer())
                : OnnxWriter.write(lm.weights(), out, o.writer());
        return new Result(r, o.writer(), o.verify() ? verify(loaded, r.model(), o) : null);
    }

    private static ParityReport verify(Model m, Path onnxFile, Options o) throws Exception {
        Tokenizer tok = Models.requireTokenizer(m);
        List<int[]> ids = new ArrayList<>();
        for (String t : o.prompts()) {
            ids.add(Prompts.withBos(tok, t));
        }
        try (Transformer ref = new Transformer(m.weights());
             OnnxModel onnx = OnnxModel.load(onnxFile, OnnxModel.RunOptions.defaults().withThreads(o.threads()))) {
            return ParityCheck.run(ref, onnx, ids, ParityCheck.Options.defaults());
        }
    }
}
