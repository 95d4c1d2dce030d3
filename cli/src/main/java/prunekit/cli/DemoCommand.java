package prunekit.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import prunekit.core.engine.Transformer;
import prunekit.core.eval.Generator;
import prunekit.core.io.ModelLoader;
import prunekit.core.model.Model;
import prunekit.core.tokenize.Tokenizer;

/**
 * {@code prunekit demo}: the main job on the embedded models and data, with no arguments: greedy
 * text from stories260K, then the Vietnamese mini-vina model's held-out perplexity.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the main job on the embedded models and data (no arguments needed).")
public final class DemoCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        Path home = ModelArg.defaultModel().getParent().getParent();
        Model stories = ModelLoader.load(ModelArg.defaultModel(), null);
        out.println("== stories260K (embedded, GQA): greedy continuation of \"Once upon a time\"");
        out.println(greedy(stories, "Once upon a time", 120));
        Model vina = ModelLoader.load(home.resolve("models/mini-vina"), null);
        out.println();
        out.println("== mini-vina (embedded, Vietnamese, " + vina.weights().countParameters() + " parameters)");
        Map<String, Object> ev = EvalCommand.evaluate(vina, List.of(home.resolve("data/vi/legal-valid.txt")), null, 8);
        out.printf("held-out perplexity on data/vi/legal-valid.txt: %.3f (%.4f bits/byte, %d tokens)%n",
                (double) ev.get("perplexity"), (double) ev.get("bits_per_byte"), (long) ev.get("tokens"));
        out.println(greedy(vina, "Điều 1. Phạm vi điều chỉnh", 48));
        out.flush();
        return 0;
    }

    static String greedy(Model m, String prompt, int positions) {
        Tokenizer tok = m.tokenizer();
        int[] body = tok.encode(prompt);
        int[] ids = new int[body.length + 1];
        ids[0] = tok.bosId();
        System.arraycopy(body, 0, ids, 1, body.length);
        try (Transformer t = new Transformer(m.weights())) {
            int[] out = Generator.generate(t, ids, positions + 1, Generator.Sampling.GREEDY,
                    new int[] {tok.eosId(), tok.bosId()});
            return tok.decode(java.util.Arrays.copyOfRange(out, 1, out.length));
        }
    }
}
