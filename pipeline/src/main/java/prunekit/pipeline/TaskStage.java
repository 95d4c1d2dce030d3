package prunekit.pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import prunekit.core.engine.LayerStreamer;
import prunekit.core.engine.Transformer;
import prunekit.core.eval.tasks.Continuation;
import prunekit.core.eval.tasks.EngineLogLikelihood;
import prunekit.core.eval.tasks.MultipleChoice;
import prunekit.core.eval.tasks.TaskFile;
import prunekit.core.eval.tasks.TaskScore;
import prunekit.core.io.LazyModel;
import prunekit.core.model.Model;
import prunekit.core.tokenize.Tokenizer;

/**
 * Zero-shot multiple-choice accuracy (lm-eval-harness semantics, {@link MultipleChoice}) of a
 * model on JSONL task files, in memory or one layer at a time ({@link EvalStage.Streaming}: AUTO
 * streams when the fp32 weights exceed the hidden states of every request, as {@link EvalStage}).
 */
public final class TaskStage {
    private TaskStage() {
    }

    /** {@code batchTokens}: padded tokens per forward pass. */
    public record Options(List<Path> tasks, int batchTokens, EvalStage.Streaming stream) {
        public static final int DEFAULT_BATCH_TOKENS = 4096;

        public Options {
            if (tasks == null || tasks.isEmpty()) {
                throw new IllegalArgumentException("task evaluation needs task files: pass --tasks FILE.jsonl...");
            }
            tasks = List.copyOf(tasks);
            if (batchTokens < 1) {
                throw new IllegalArgumentException("--task-tokens must be >= 1, got " + batchTokens);
            }
            if (stream == null) {
                stream = EvalStage.Streaming.AUTO;
            }
        }

        public Options(List<Path> tasks) {
            this(tasks, DEFAULT_BATCH_TOKENS, EvalStage.Streaming.AUTO);
        }
    }

    /** One score per task file, in the order given. */
    public record Result(String model, List<TaskScore> scores, boolean streamed) {
        public Result {
            scores = List.copyOf(scores);
        }
    }

    /** In memory. */
    public static Result run(Model m, Options o, ProgressBars bars) {
        Tokenizer tok = Models.requireTokenizer(m);
        List<TaskFile> tasks = o.tasks().stream().map(TaskFile::read).toList();
        return inMemory(m, o, tasks, tasks.stream().map(t -> MultipleChoice.requests(t, tok)).toList(), bars);
    }

    private static Result inMemory(Model m, Options o, List<TaskFile> tasks, List<List<Continuation>> requests,
                                   ProgressBars bars) {
        List<TaskScore> scores = new ArrayList<>();
        try (Transformer t = new Transformer(m.weights())) {
            EngineLogLikelihood ll = EngineLogLikelihood.of(t, o.batchTokens());
            for (int i = 0; i < tasks.size(); i++) {
                List<Continuation> req = requests.get(i);
                ProgressBars.Bar bar = bars.start("task " + tasks.get(i).name(), req.size(), "choices");
                TaskScore s = MultipleChoice.score(tasks.get(i), ll.score(req, done -> bar.update(done, "")));
                bar.finish(req.size(), summary(s));
                scores.add(s);
            }
        }
        return new Result(m.source(), scores, false);
    }

    /** Streamed layer by layer when {@code o.stream()} says so, else loaded and run in memory. */
    public static Result run(LazyModel lm, Options o, ProgressBars bars) {
        Tokenizer tok = Models.requireTokenizer(lm);
        List<TaskFile> tasks = o.tasks().stream().map(TaskFile::read).toList();
        List<List<Continuation>> requests = tasks.stream().map(t -> MultipleChoice.requests(t, tok)).toList();
        long tokens = requests.stream().flatMap(List::stream).mapToLong(c -> c.tokens().length - 1).sum();
        boolean streamed = o.stream() == EvalStage.Streaming.ALWAYS || (o.stream() == EvalStage.Streaming.AUTO
                && 4 * lm.weights().parameterCount() > LayerStreamer.hiddenStateBytes(lm.config(), tokens));
        if (!streamed) {
            return inMemory(lm.load(), o, tasks, requests, bars);
        }
        EngineLogLikelihood ll = EngineLogLikelihood.streamed(new LayerStreamer(lm.weights()), o.batchTokens());
        List<TaskScore> scores = new ArrayList<>();
        int layers = lm.config().numLayers();
        for (int i = 0; i < tasks.size(); i++) {
            ProgressBars.Bar bar = bars.start("task " + tasks.get(i).name() + " (streamed)", layers, "layers");
            TaskScore s = MultipleChoice.score(tasks.get(i), ll.score(requests.get(i), done -> bar.update(done, "")));
            bar.finish(layers, summary(s));
            scores.add(s);
        }
        return new Result(lm.source(), scores, true);
    }

    /** One line: "acc 0.512 ± 0.025  acc_norm ... (n 400, chance 0.250)". */
    public static String summary(TaskScore s) {
        return String.format(Locale.ROOT, "acc %.3f ± %.3f  acc_norm %.3f ± %.3f  (n %d, chance %.3f)",
                s.acc(), s.accStderr(), s.accNorm(), s.accNormStderr(), s.n(), s.chance());
    }
}
