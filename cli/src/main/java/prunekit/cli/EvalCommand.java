package prunekit.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import prunekit.core.eval.Perplexity;
import prunekit.core.io.LazyModel;
import prunekit.pipeline.EvalStage;
import prunekit.pipeline.TaskStage;

/**
 * {@code prunekit eval MODEL --text FILE...}: perplexity and bits per byte under the shared protocol;
 * {@code --tasks FILE.jsonl...}: zero-shot multiple-choice accuracy ({@link TaskStage}).
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Perplexity of text files: blocks at blank lines, BOS per block, one stream, "
                + "back-to-back windows of the model's context (or --ctx), loss over every target.",
            "Zero-shot tasks (--tasks): lm-eval-harness multiple choice, each choice scored by the log-likelihood"
                + " of its continuation after BOS + context; acc and acc_norm (per UTF-8 byte) with standard errors."},
        footer = {"", "Examples:",
            "  prunekit eval ../shared/models/mini-vina --text ../shared/data/vi/valid/wiki.txt ../shared/data/vi/valid/legal.txt",
            "  prunekit eval model.gguf --text book.txt --ctx 512 --json",
            "  prunekit eval models/mini-vina --tasks data/tasks/vi-cloze.jsonl data/tasks/vi-minimal-pairs.jsonl"})
public final class EvalCommand implements Callable<Integer> {
    @Mixin ModelArg modelArg;
    @Mixin JsonOutput json;
    @Mixin ThreadsOption threads;
    @Spec CommandSpec spec;

    @Option(names = "--text", arity = "1..*", paramLabel = "FILE", description = "UTF-8 text files, in order")
    List<Path> text;

    @Option(names = "--ctx", paramLabel = "N", description = "window length (default: max_position_embeddings)")
    Integer ctx;

    @Option(names = "--batch", defaultValue = "8", paramLabel = "B", description = "windows per forward pass (default 8)")
    int batch;

    @Option(names = "--tasks", arity = "1..*", paramLabel = "FILE.jsonl",
            description = "multiple-choice tasks, one {\"context\", \"choices\", \"gold\"} per line")
    List<Path> tasks;

    @Option(names = "--task-tokens", defaultValue = "4096", paramLabel = "N",
            description = "padded tokens per forward pass for --tasks (default 4096)")
    int taskTokens;

    @Option(names = "--stream", defaultValue = "AUTO", paramLabel = "WHEN",
            description = "read one layer at a time: AUTO (when the fp32 weights are larger than the hidden states of"
                    + " all windows, i.e. when it lowers peak memory), ALWAYS or NEVER")
    EvalStage.Streaming stream;

    @Override
    public Integer call() {
        if (text == null && tasks == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give --text FILE... and/or --tasks FILE.jsonl...");
        }
        Map<String, Object> res = new LinkedHashMap<>();
        StringBuilder human = new StringBuilder();
        try (LazyModel lm = modelArg.open()) {
            res.put("model", lm.source());
            if (text != null) {
                perplexity(lm, res, human);
            }
            if (tasks != null) {
                TaskStage.Result t = TaskStage.run(lm, new TaskStage.Options(tasks, taskTokens, stream), Progress::new);
                res.put("tasks", t.scores());
                res.put("tasks_streamed", t.streamed());
                t.scores().forEach(s -> human.append(human.length() > 0 ? "\n" : "")
                        .append(s.task()).append(": ").append(TaskStage.summary(s)));
            }
        }
        json.print(spec.commandLine().getOut(), res, human::toString);
        return 0;
    }

    private void perplexity(LazyModel lm, Map<String, Object> res, StringBuilder human) {
        EvalStage.Result r = EvalStage.run(lm, new EvalStage.Options(text, ctx, batch, stream), Progress::new);
        Perplexity.Result p = r.perplexity();
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
        human.append(String.format("perplexity %.4f  bits/byte %.4f  (%d tokens in %d windows of %d, %.0f tokens/s)",
                p.perplexity(), p.bitsPerByte(), p.tokens(), p.windows(), r.ctx(), p.tokensPerSecond()));
    }
}
