package prunekit.export.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import prunekit.core.engine.Transformer;
import prunekit.core.eval.Generator;
import prunekit.core.model.Model;
import prunekit.export.OnnxFolderWriter;
import prunekit.export.OnnxWriter;

/**
 * Our ONNX model folder loads in transformers.js ({@code AutoModelForCausalLM.from_pretrained}) and
 * its greedy {@code generate} gives the ids and text of {@link Generator} on the same model (both stop at EOS).
 */
class TransformersJsGreedyTest {
    static final int NEW_TOKENS = 32;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = DeployModels.class, names = {"MINI_VINA", "MINI_VINA_UNIFORM"})
    void greedyEqualsOurs(DeployModels which) throws Exception {
        NodeRuntime node = NodeRuntime.require("@huggingface/transformers",
                "ONNXRUNTIME_NODE_INSTALL=skip npm i -E @huggingface/transformers@4.3.1 in ~/.cache/prunekit/node");
        Model m = which.model();
        Path folder = dir.resolve(which.name().toLowerCase());
        OnnxFolderWriter.write(m, folder, OnnxWriter.Options.defaults());
        for (String f : List.of("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
                "onnx/model.onnx", "genai_config.json")) {
            assertTrue(Files.isRegularFile(folder.resolve(f)), f);
        }
        List<String> args = new ArrayList<>(List.of(folder.toString(), String.valueOf(NEW_TOKENS)));
        args.addAll(which.prompts());
        List<JsonObject> tjs = node.run("transformers-js-greedy.mjs", args, 600);
        assertEquals(which.prompts().size(), tjs.size(), "one result per prompt");
        try (Transformer t = new Transformer(m.weights())) {
            for (int p = 0; p < tjs.size(); p++) {
                String prompt = which.prompts().get(p);
                int[] body = m.tokenizer().encode(prompt);
                int[] ids = new int[body.length + 1];
                ids[0] = m.tokenizer().bosId();
                System.arraycopy(body, 0, ids, 1, body.length);
                assertArrayEquals(ids, NodeRuntime.ints(tjs.get(p).getAsJsonArray("prompt_ids")), "tokenization of " + prompt);
                int eos = m.tokenizer().eosId();
                int[] seq = Generator.generate(t, ids, ids.length + NEW_TOKENS, Generator.Sampling.GREEDY, new int[] {eos});
                int[] mine = Arrays.copyOfRange(seq, ids.length, seq.length);
                int[] theirs = NodeRuntime.ints(tjs.get(p).getAsJsonArray("ids"));
                if (theirs.length > 0 && theirs[theirs.length - 1] == eos) {
                    theirs = Arrays.copyOf(theirs, theirs.length - 1); // generate() keeps the EOS it stopped at
                }
                assertArrayEquals(mine, theirs, which + " '" + prompt + "'");
                String text = m.tokenizer().decode(mine);
                assertEquals(text, tjs.get(p).get("text").getAsString());
                System.out.printf("transformers.js %s '%s': %d/%d greedy tokens and the text agree%n", which, prompt,
                        mine.length, NEW_TOKENS);
            }
        }
    }

    @Test
    void perLayerModelIsRefusedBeforeWriting() {
        Path folder = dir.resolve("adaptive");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> OnnxFolderWriter.write(DeployModels.MINI_VINA_ADAPTIVE.model(), folder, OnnxWriter.Options.defaults()));
        assertTrue(e.getMessage().contains("per-layer shapes"), e.getMessage());
        assertTrue(!Files.exists(folder));
    }
}
