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
import prunekit.core.engine.LayerStreamer;
import prunekit.core.engine.Transformer;
import prunekit.core.eval.Perplexity;
import prunekit.core.eval.TokenStream;
import prunekit.core.io.LazyModel;
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

    /** When to run one layer at a time from disk; both ways give the same numbers. */
    enum Streaming { AUTO, ALWAYS, NEVER }

    @Option(names = "--stream", defaultValue = "AUTO", paramLabel = "WHEN",
            description = "read one layer at a time: AUTO (when the fp32 weights are larger than the hidden states of"
                    + " all windows, i.e. when it lowers peak memory), ALWAYS or NEVER")
    Streaming stream;

    @Override
    public Integer call() {
        Map<String, Object> res;
        try (LazyModel lm = modelArg.open()) {
            res = evaluate(lm, text, ctx, batch, stream);
        }
        json.print(spec.commandLine().getOut(), res, () -> String.format(
                "perplexity %.4f  bits/byte %.4f  (%d tokens in %d windows of %d, %.0f tokens/s)",
                (double) res.get("perplexity"), (double) res.get("bits_per_byte"), (long) res.get("tokens"),
                (int) res.get("windows"), (int) res.get("ctx"), (double) res.get("tokens_per_s")));
        return 0;
    }

    /**
     * Runs the protocol, streaming layer by layer when {@code mode} says so: AUTO streams when the
     * model's fp32 weights exceed the hidden states of every window (tokens · hidden · 4 bytes),
     * the case where holding one layer lowers the peak; small models over long texts stay in memory.
     */
    static Map<String, Object> evaluate(LazyModel lm, List<Path> files, Integer ctxOrNull, int batch, Streaming mode) {
        if (lm.tokenizer() == null) {
            throw new IllegalArgumentException(lm.source() + ": the model has no tokenizer; pass --tokenizer FILE");
        }
        TokenStream stream = TokenStream.of(files, lm.tokenizer());
        int ctx = ctxOrNull != null ? ctxOrNull : lm.config().maxPositions();
        long states = LayerStreamer.hiddenStateBytes(lm.config(), (long) stream.windowCount(ctx) * ctx);
        boolean streamed = mode == Streaming.ALWAYS || (mode == Streaming.AUTO && 4 * lm.weights().parameterCount() > states);
        if (!streamed) {
            return evaluate(lm.load(), files, ctxOrNull, batch);
        }
        Progress bar = new Progress("eval (streamed)", lm.config().numLayers(), "layers");
        Perplexity.Result r = Perplexity.evaluate(new LayerStreamer(lm.weights()), stream, ctx, batch, bar::update);
        bar.finish(lm.config().numLayers(), String.format("ppl %.3f", r.perplexity()));
        return fields(lm.source(), files, stream, ctx, r);
    }

    /** Runs the protocol in memory and returns the JSON fields of eval.json. */
    static Map<String, Object> evaluate(Model m, List<Path> files, Integer ctxOrNull, int batch) {
        TokenStream stream = TokenStream.of(files, GenerateCommand.requireTokenizer(m));
        int ctx = ctxOrNull != null ? ctxOrNull : m.config().maxPositions();
        Progress bar = new Progress("eval", stream.windowCount(ctx), "windows");
        Perplexity.Result r;
        try (Transformer t = new Transformer(m.weights())) {
            r = Perplexity.evaluate(t, stream, ctx, batch, bar::update);
        }
        bar.finish(r.windows(), String.format("ppl %.3f", r.perplexity()));
        return fields(m.source(), files, stream, ctx, r);
    }

    private static Map<String, Object> fields(String source, List<Path> files, TokenStream stream, int ctx,
                                              Perplexity.Result r) {
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("model", source);
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
