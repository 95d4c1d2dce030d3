package prunekit.pipeline;

import ai.onnxruntime.OrtException;
import java.nio.file.Path;
import prunekit.core.eval.Generator;
import prunekit.core.io.FormatException;
import prunekit.export.OnnxModel;
import prunekit.export.OrtSequence;

/** Generation driven by ONNX Runtime with the graph's KV cache, through {@link Generator}'s loop. */
final class OnnxGeneration {
    private OnnxGeneration() {
    }

    /** {@code vocab}: the rows of the embedding of the model whose tokenizer made {@code prompt}. */
    static int[] generate(Path onnx, int threads, int vocab, int[] prompt, int maxLength, Generator.Sampling sampling,
                          int[] stops) throws Exception {
        try (OnnxModel model = OnnxModel.load(onnx, OnnxModel.RunOptions.defaults().withThreads(threads))) {
            if (model.vocabSize() != vocab) {
                throw new FormatException(onnx, "its logits have " + model.vocabSize() + " tokens but MODEL's vocabulary"
                        + " has " + vocab + ": it is the export of another model; give the MODEL it was exported from");
            }
            try (OrtSequence seq = model.newSequence(1)) {
                return Generator.generate(seq, prompt, maxLength, sampling, stops);
            } catch (OrtException | IllegalStateException e) {
                throw new FormatException(onnx, "ONNX Runtime could not run it (" + OnnxModel.reason(e) + "); is it"
                        + " an export of MODEL by prunekit export?", e);
            }
        }
    }
}
