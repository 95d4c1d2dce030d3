package prunekit.pipeline;

import java.nio.file.Path;
import prunekit.core.eval.Generator;
import prunekit.export.OnnxModel;
import prunekit.export.OrtSequence;

/** Generation driven by ONNX Runtime with the graph's KV cache, through {@link Generator}'s loop. */
final class OnnxGeneration {
    private OnnxGeneration() {
    }

    static int[] generate(Path onnx, int threads, int[] prompt, int maxLength, Generator.Sampling sampling, int[] stops)
            throws Exception {
        try (OnnxModel model = OnnxModel.load(onnx, OnnxModel.RunOptions.defaults().withThreads(threads));
             OrtSequence seq = model.newSequence(1)) {
            return Generator.generate(seq, prompt, maxLength, sampling, stops);
        }
    }
}
