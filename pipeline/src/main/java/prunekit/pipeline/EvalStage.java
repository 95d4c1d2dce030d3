package prunekit.pipeline;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import prunekit.core.engine.Transformer;
import prunekit.core.eval.Perplexity;
import prunekit.core.eval.TokenStream;
import prunekit.core.model.Model;

/** Perplexity and bits per byte of text files under the shared protocol (one stream, back-to-back windows). */
public final class EvalStage {
    private EvalStage() {
    }

    /** {@code ctx} null: the model's max_position_embeddings. */
    public record Options(List<Path> files, Integer ctx, int batch) {
        public Options {
            if (files == null || files.isEmpty()) {
                throw new IllegalArgumentException("eval needs text: pass --text FILE...");
            }
            files = List.copyOf(files);
            if (batch < 1) {
                throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
            }
        }
    }

    /** The protocol's outcome with the stream it ran on. */
    public record Result(String model, List<Path> files, Perplexity.Result perplexity, int ctx, int streamTokens,
                         long utf8Bytes) {
    }

    public static Result run(Model m, Options o, ProgressBars bars) {
        TokenStream stream = TokenStream.of(o.files(), Models.requireTokenizer(m));
        int ctx = o.ctx() != null ? o.ctx() : m.config().maxPositions();
        ProgressBars.Bar bar = bars.start("eval", stream.windowCount(ctx), "windows");
        Perplexity.Result r;
        try (Transformer t = new Transformer(m.weights())) {
            r = Perplexity.evaluate(t, stream, ctx, o.batch(), done -> bar.update(done, ""));
        }
        bar.finish(r.windows(), String.format(Locale.ROOT, "ppl %.3f", r.perplexity()));
        return new Result(m.source(), o.files(), r, ctx, stream.ids().length, stream.utf8Bytes());
    }
}
