package prunekit.export.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import prunekit.core.engine.Decoder;
import prunekit.core.engine.Transformer;
import prunekit.core.eval.Generator;
import prunekit.core.io.GgmlType;
import prunekit.core.io.GgufReader;
import prunekit.core.io.GgufWriter;
import prunekit.core.model.Model;

/**
 * Our GGUF files run in llama.cpp (node-llama-cpp's prebuilt CPU build): its tokenization of each
 * prompt equals ours (BOS + ids), and its greedy continuation equals {@link Generator}'s on the same
 * file as prunekit loads it. F32 files: all {@value #NEW_TOKENS} new tokens, exactly; Q8_0 files
 * (llama.cpp also quantizes activations to 8 bits): llama.cpp's first {@value #Q8_TOKENS} tokens,
 * fed to our model, are each our argmax or within {@value #TIE} of it (a near tie).
 */
class LlamaCppGreedyTest {
    static final int NEW_TOKENS = 48;
    static final int Q8_TOKENS = 32;
    static final float TIE = 0.1f;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(DeployModels.class)
    void f32GreedyEqualsOurs(DeployModels which) throws Exception {
        check(which, GgmlType.F32, NEW_TOKENS);
    }

    @ParameterizedTest
    @EnumSource(DeployModels.class)
    void q8GreedyAgreesWithOursOnTheFirst32(DeployModels which) throws Exception {
        check(which, GgmlType.Q8_0, Q8_TOKENS);
    }

    private void check(DeployModels which, GgmlType type, int mustAgree) throws Exception {
        NodeRuntime node = NodeRuntime.require("node-llama-cpp", "npm i -E node-llama-cpp@3.21.1 in ~/.cache/prunekit/node");
        Path gguf = dir.resolve(which.name().toLowerCase() + "-" + type + ".gguf");
        GgufWriter.write(which.model(), gguf, GgufWriter.Options.of(type, which.name()));
        Model ours = GgufReader.read(gguf); // what prunekit generate runs on this file (Q8_0 dequantized)
        List<String> args = new ArrayList<>(List.of(gguf.toString(), String.valueOf(NEW_TOKENS)));
        args.addAll(which.prompts());
        List<JsonObject> llama = node.run("llama-greedy.mjs", args, 600);
        assertEquals(which.prompts().size(), llama.size(), "one result per prompt");
        try (Transformer t = new Transformer(ours.weights())) {
            for (int p = 0; p < llama.size(); p++) {
                String prompt = which.prompts().get(p);
                int[] body = ours.tokenizer().encode(prompt);
                int[] ids = new int[body.length + 1];
                ids[0] = ours.tokenizer().bosId();
                System.arraycopy(body, 0, ids, 1, body.length);
                assertArrayEquals(ids, NodeRuntime.ints(llama.get(p).getAsJsonArray("prompt_ids")),
                        which + " " + type + ": llama.cpp tokenizes '" + prompt + "' differently");
                int[] seq = Generator.generate(t, ids, ids.length + NEW_TOKENS, Generator.Sampling.GREEDY, new int[0]);
                int[] theirs = NodeRuntime.ints(llama.get(p).getAsJsonArray("ids"));
                int agree = agreeing(seq, ids.length, theirs);
                System.out.printf("llama.cpp %s %s '%s': %d/%d greedy tokens agree; prompt %.0f tok/s, decode %.0f tok/s%n",
                        which, type, prompt, agree, NEW_TOKENS,
                        llama.get(p).get("prompt_tok_s").getAsDouble(), llama.get(p).get("decode_tok_s").getAsDouble());
                if (type == GgmlType.F32) {
                    assertArrayEquals(Arrays.copyOfRange(seq, ids.length, seq.length), theirs, which + " " + type + " '"
                            + prompt + "' (llama.cpp text: " + llama.get(p).get("text").getAsString() + ")");
                } else {
                    nearTies(t, ids, theirs, mustAgree, which + " " + type + " '" + prompt + "'");
                }
            }
        }
    }

    /**
     * Feeds llama.cpp's tokens to our model: at each of the first {@code n} new positions llama.cpp's
     * pick must be our argmax, or within {@value #TIE} of our top logit (llama.cpp also rounds the
     * activations to 8 bits, which can swap two nearly tied candidates).
     */
    private static void nearTies(Transformer t, int[] prompt, int[] theirs, int n, String what) throws Exception {
        try (Decoder s = t.newDecoder()) {
            float[][] all = s.append(prompt);
            float[] logits = all[all.length - 1];
            for (int k = 0; k < n; k++) {
                int mine = Generator.argmax(logits);
                float gap = logits[mine] - logits[theirs[k]];
                if (mine != theirs[k]) {
                    System.out.printf("  %s position %d: llama.cpp %d, ours %d, logit gap %.4f%n", what, k, theirs[k], mine, gap);
                }
                if (gap > TIE) {
                    org.junit.jupiter.api.Assertions.fail(what + " new position " + k + ": llama.cpp picks " + theirs[k]
                            + " whose logit is " + gap + " below our argmax " + mine);
                }
                logits = s.step(theirs[k]);
            }
        }
    }

    private static int agreeing(int[] seq, int start, int[] theirs) {
        int n = 0;
        while (n < theirs.length && start + n < seq.length && seq[start + n] == theirs[n]) {
            n++;
        }
        return n;
    }
}
