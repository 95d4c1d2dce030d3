package prunekit.pipeline;

import java.nio.file.Path;
import java.util.Arrays;
import prunekit.core.engine.Transformer;
import prunekit.core.eval.Generator;
import prunekit.core.eval.Prompts;
import prunekit.core.model.Model;
import prunekit.core.tokenize.Tokenizer;

/** BOS + prompt, then greedy or sampled tokens with the KV cache, in our engine or in ONNX Runtime. */
public final class Generation {
    private Generation() {
    }

    /**
     * At most one of {@code maxPositions} (positions run in total, BOS and prompt included: llama2.c's
     * steps) and {@code maxNewTokens} (default 64); {@code onnx} non-null runs that exported model
     * with {@code threads} intra-op threads, the model giving the tokenizer.
     */
    public record Request(String prompt, Integer maxPositions, Integer maxNewTokens, Generator.Sampling sampling,
                          boolean ignoreEos, Path onnx, int threads) {
        public Request {
            if (prompt == null || sampling == null) {
                throw new IllegalArgumentException("generation needs a prompt and a sampling rule");
            }
            if (maxPositions != null && maxNewTokens != null) {
                throw new IllegalArgumentException("give --max-positions or --max-new-tokens, not both");
            }
            if (maxPositions != null && maxPositions < 1 || maxNewTokens != null && maxNewTokens < 0) {
                throw new IllegalArgumentException("--max-positions must be >= 1 and --max-new-tokens >= 0, got "
                        + (maxPositions != null ? maxPositions : maxNewTokens));
            }
            if (threads < 1) {
                throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
            }
        }

        /** Greedy decoding in our engine for {@code maxPositions} positions. */
        public static Request greedy(String prompt, int maxPositions) {
            return new Request(prompt, maxPositions, null, Generator.Sampling.GREEDY, false, null, 2);
        }
    }

    /** {@code ids} holds BOS, the prompt and the new tokens; {@code text} decodes all but BOS. */
    public record Result(String text, int[] ids, int newTokens, double seconds, String runtime) {
    }

    public static Result run(Model m, Request r) throws Exception {
        Tokenizer tok = Models.requireTokenizer(m);
        int[] ids = Prompts.withBos(tok, r.prompt());
        // maxPositions N: N positions are run, so the sequence ends with N + 1 ids (BOS included).
        int maxLength = r.maxPositions() != null ? r.maxPositions() + 1
                : ids.length + (r.maxNewTokens() != null ? r.maxNewTokens() : 64);
        if (r.maxPositions() != null && r.maxPositions() < ids.length) {
            throw new IllegalArgumentException("--max-positions " + r.maxPositions() + " is shorter than the prompt ("
                    + ids.length + " positions with BOS)");
        }
        long t0 = System.nanoTime();
        int[] stops = r.ignoreEos() ? new int[0] : new int[] {tok.eosId(), tok.bosId()};
        int[] out;
        if (r.onnx() != null) {
            out = OnnxGeneration.generate(r.onnx(), r.threads(), m.config().vocabSize(), ids, maxLength, r.sampling(), stops);
        } else {
            try (Transformer t = new Transformer(m.weights())) {
                out = Generator.generate(t, ids, maxLength, r.sampling(), stops);
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        String text = tok.decode(Arrays.copyOfRange(out, 1, out.length));
        return new Result(text, out, out.length - ids.length, secs, r.onnx() != null ? "onnxruntime" : "djl-pytorch");
    }
}
