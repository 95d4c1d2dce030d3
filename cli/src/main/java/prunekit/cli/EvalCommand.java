package prunekit.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import prunekit.core.engine.Transformer;
import prunekit.core.eval.Perplexity;
import prunekit.core.eval.TokenStream;
import prunekit.core.model.Model;

/** {@code prunekit eval MODEL --text FILE...}: perplexity and bits per byte under the shared protocol. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Perplexity of text files: blocks at blank lines, BOS per block, one stream, "
                + "back-to-back windows of the model's context (or --ctx), loss over every target.",
        footer = {"", "Examples:",
            "  prunekit eval ../shared/models/mini-vina --text ../shared/data/vi/valid/wiki.txt ../shared/data/vi/valid/legal.txt",
            "  prunekit eval model.gguf --text book.txt --ctx 512 --json"})
public final class EvalCommand implements Callable<Integer> {
    @Mixin ModelArg modelArg;
    @Mixin JsonOutput json;
    @Spec CommandSpec spec;

    @Option(names = "--text", required = true, arity = "1..*", paramLabel = "FILE", description = "UTF-8 text files, in order")
    List<Path> text;

    @Option(names = "--ctx", paramLabel = "N", description = "window length (default: max_position_embeddings)")
    Integer ctx;

    @Option(names = "--batch", defaultValue = "8", paramLabel = "B", description = "windows per forward pass (default 8)")
    int batch;

    @Override
    public Integer call() {
        Model m = modelArg.load();
        Map<String, Object> res = evaluate(m, text, ctx, batch);
        json.print(spec.commandLine().getOut(), res, () -> String.format(
                "perplexity %.4f  bits/byte %.4f  (%d tokens in %d windows of %d, %.0f tokens/s)",
                (double) res.get("perplexity"), (double) res.get("bits_per_byte"), (long) res.get("tokens"),
                (int) res.get("windows"), (int) res.get("ctx"), (double) res.get("tokens_per_s")));
        return 0;
    }

    /** Runs the protocol and returns the JSON fields of eval.json. */
    static Map<String, Object> evaluate(Model m, List<Path> files, Integer ctxOrNull, int batch) {
        TokenStream stream = TokenStream.of(files, GenerateCommand.requireTokenizer(m));
        int ctx = ctxOrNull != null ? ctxOrNull : m.config().maxPositions();
        Progress bar = new Progress("eval", stream.windowCount(ctx), "windows");
        Perplexity.Result r;
        try (Transformer t = new Transformer(m.weights())) {
            r = Perplexity.evaluate(t, stream, ctx, batch, bar::update);
        }
        bar.finish(r.windows(), String.format("ppl %.3f", r.perplexity()));
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("model", m.source());
        res.put("files", files.stream().map(Path::toString).toList());
        res.put("perplexity", r.perplexity());
        res.put("mean_nll", r.meanNll());
        res.put("bits_per_byte", r.bitsPerByte());
        res.put("tokens", r.tokens());
        res.put("windows", r.windows());
        res.put("ctx", ctx);
        res.put("stream_tokens", stream.ids().length);
        res.put("utf8_bytes", stream.utf8Bytes());
        res.put("seconds", r.seconds());
        res.put("tokens_per_s", r.tokensPerSecond());
        return res;
    }
}
