package prunekit.pipeline;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import prunekit.core.PrunekitException;
import prunekit.core.engine.LayerStreamer;
import prunekit.core.engine.Transformer;
import prunekit.core.eval.Perplexity;
import prunekit.core.eval.TokenStream;
import prunekit.core.io.LazyModel;
import prunekit.core.model.Model;

/** Perplexity and bits per byte of text files under the shared protocol (one stream, back-to-back windows). */
public final class EvalStage {
    private EvalStage() {
    }

    /** When to run one layer at a time from disk; both ways give the same numbers. */
    public enum Streaming { AUTO, ALWAYS, NEVER }

    /** {@code ctx} null: the model's max_position_embeddings. */
    public record Options(List<Path> files, Integer ctx, int batch, Streaming stream) {
        public Options {
            if (files == null || files.isEmpty()) {
                throw new IllegalArgumentException("eval needs text: pass --text FILE...");
            }
            files = List.copyOf(files);
            if (batch < 1) {
                throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
            }
            if (ctx != null && ctx < 1) {
                throw new IllegalArgumentException("--ctx must be >= 1, got " + ctx
                        + "; leave it out for the model's max_position_embeddings");
            }
            if (stream == null) {
                stream = Streaming.AUTO;
            }
        }

        public Options(List<Path> files, Integer ctx, int batch) {
            this(files, ctx, batch, Streaming.AUTO);
        }
    }

    /** The protocol's outcome with the stream it ran on; a non-finite loss is an error, never a result. */
    public record Result(String model, List<Path> files, Perplexity.Result perplexity, int ctx, int streamTokens,
                         long utf8Bytes, boolean streamed) {
        public Result {
            if (!Double.isFinite(perplexity.meanNll())) {
                throw new PrunekitException(model + ": the mean loss over " + files + " is " + perplexity.meanNll()
                        + ", so there is no perplexity: the model's logits overflow or hold NaN (check its weights;"
                        + " they load only with --allow-non-finite when they hold NaN or Inf)");
            }
        }
    }

    /** In memory. */
    public static Result run(Model m, Options o, ProgressBars bars) {
        TokenStream stream = TokenStream.of(o.files(), Models.requireTokenizer(m));
        int ctx = o.ctx() != null ? o.ctx() : m.config().maxPositions();
        ProgressBars.Bar bar = bars.start("eval", stream.windowCount(ctx), "windows");
        Perplexity.Result r;
        try (Transformer t = new Transformer(m.weights())) {
            r = Perplexity.evaluate(t, stream, ctx, o.batch(), done -> bar.update(done, ""));
        }
        bar.finish(r.windows(), String.format(Locale.ROOT, "ppl %.3f", r.perplexity()));
        return new Result(m.source(), o.files(), r, ctx, stream.ids().length, stream.utf8Bytes(), false);
    }

    /**
     * Streaming layer by layer when {@code o.stream()} says so: AUTO streams when the model's fp32
     * weights exceed the hidden states of every window (tokens · hidden · 4 bytes), the case where
     * holding one layer lowers the peak; small models over long texts stay in memory.
     */
    public static Result run(LazyModel lm, Options o, ProgressBars bars) {
        TokenStream stream = TokenStream.of(o.files(), Models.requireTokenizer(lm));
        int ctx = o.ctx() != null ? o.ctx() : lm.config().maxPositions();
        long states = LayerStreamer.hiddenStateBytes(lm.config(), (long) stream.windowCount(ctx) * ctx);
        boolean streamed = o.stream() == Streaming.ALWAYS
                || (o.stream() == Streaming.AUTO && 4 * lm.weights().parameterCount() > states);
        if (!streamed) {
            return run(lm.load(), o, bars);
        }
        int layers = lm.config().numLayers();
        ProgressBars.Bar bar = bars.start("eval (streamed)", layers, "layers");
        Perplexity.Result r = Perplexity.evaluate(new LayerStreamer(lm.weights()), stream, ctx, o.batch(),
                done -> bar.update(done, ""));
        bar.finish(layers, String.format(Locale.ROOT, "ppl %.3f", r.perplexity()));
        return new Result(lm.source(), o.files(), r, ctx, stream.ids().length, stream.utf8Bytes(), true);
    }
}
