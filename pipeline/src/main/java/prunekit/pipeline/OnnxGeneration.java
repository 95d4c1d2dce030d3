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
        OnnxModel model = OnnxModel.load(onnx, OnnxModel.RunOptions.defaults().withThreads(threads));
        OrtSequence seq = model.newSequence(1);
        Generator.Stepper stepper = new Generator.Stepper() {
            @Override
            public float[] prefill(int[] p) throws Exception {
                return seq.append(new int[][] {p}).at(0, p.length - 1);
            }

            @Override
            public float[] step(int id) throws Exception {
                return seq.append(new int[][] {{id}}).at(0, 0);
            }

            @Override
            public int maxPositions() {
                return model.maxPositions();
            }

            @Override
            public void close() throws Exception {
                seq.close();
                model.close();
            }
        };
        try (stepper) {
            return Generator.generate(stepper, prompt, maxLength, sampling, stops);
        }
    }
}
