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
import prunekit.core.eval.Perplexity;
import prunekit.core.io.LazyModel;
import prunekit.pipeline.EvalStage;

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
    @Mixin ThreadsOption threads;
    @Spec CommandSpec spec;

    @Option(names = "--text", required = true, arity = "1..*", paramLabel = "FILE", description = "UTF-8 text files, in order")
    List<Path> text;

    @Option(names = "--ctx", paramLabel = "N", description = "window length (default: max_position_embeddings)")
    Integer ctx;

    @Option(names = "--batch", defaultValue = "8", paramLabel = "B", description = "windows per forward pass (default 8)")
    int batch;

    @Option(names = "--stream", defaultValue = "AUTO", paramLabel = "WHEN",
            description = "read one layer at a time: AUTO (when the fp32 weights are larger than the hidden states of"
                    + " all windows, i.e. when it lowers peak memory), ALWAYS or NEVER")
    EvalStage.Streaming stream;

    @Override
    public Integer call() {
        EvalStage.Result r;
        try (LazyModel lm = modelArg.open()) {
            r = EvalStage.run(lm, new EvalStage.Options(text, ctx, batch, stream), Progress::new);
        }
        Perplexity.Result p = r.perplexity();
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("model", r.model());
        res.put("files", r.files().stream().map(Path::toString).toList());
        res.put("perplexity", p.perplexity());
        res.put("mean_nll", p.meanNll());
        res.put("bits_per_byte", p.bitsPerByte());
        res.put("tokens", p.tokens());
        res.put("windows", p.windows());
        res.put("ctx", r.ctx());
        res.put("stream_tokens", r.streamTokens());
        res.put("utf8_bytes", r.utf8Bytes());
        res.put("seconds", p.seconds());
        res.put("tokens_per_s", p.tokensPerSecond());
        res.put("streamed", r.streamed());
        json.print(spec.commandLine().getOut(), res, () -> String.format(
                "perplexity %.4f  bits/byte %.4f  (%d tokens in %d windows of %d, %.0f tokens/s)",
                p.perplexity(), p.bitsPerByte(), p.tokens(), p.windows(), r.ctx(), p.tokensPerSecond()));
        return 0;
    }
}
