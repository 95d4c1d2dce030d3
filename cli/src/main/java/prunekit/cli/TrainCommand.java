package prunekit.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import prunekit.core.engine.MemoryCheck;
import prunekit.core.eval.TokenStream;
import prunekit.core.io.HfCheckpoint;
import prunekit.core.io.HfConfigJson;
import prunekit.core.io.ModelLoader;
import prunekit.core.io.OutputGuard;
import prunekit.core.model.DType;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.Model;
import prunekit.core.tokenize.Tokenizer;
import prunekit.pipeline.Models;
import prunekit.recover.Initializer;
import prunekit.recover.ParamSelection;
import prunekit.recover.Recipe;
import prunekit.recover.RunOptions;
import prunekit.recover.RunReport;
import prunekit.recover.TrainData;
import prunekit.recover.TrainListener;
import prunekit.recover.TrainLog;
import prunekit.recover.TrainRecipe;
import prunekit.recover.TrainResult;
import prunekit.recover.Trainer;

/**
 * {@code prunekit train}: trains a model from scratch ({@code --init config.json}) or continues one
 * ({@code --from MODEL}) on text files with AdamW, warmup + cosine, clipping, periodic validation
 * and resumable checkpoints. Writes OUT/train.json, OUT/checkpoints/ and the final HF checkpoint
 * in OUT/model/.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a LLaMA model on text (causal LM loss): from scratch or from a checkpoint. Each step draws "
                + "--batch windows of --seq+1 tokens at seeded random positions of the training stream (files split at "
                + "blank lines, BOS per block). Killed runs continue exactly with --resume.",
        footer = {"", "Examples:",
            "  prunekit train --init ../shared/models/mini-vina/config.json --tokenizer ../shared/tokenizers/vi4k-tokenizer.json \\",
            "      --data ../shared/data/vi/train/legal.txt ../shared/data/vi/train/wiki.txt \\",
            "      --valid ../shared/data/vi/valid/wiki.txt ../shared/data/vi/valid/legal.txt --steps 1000 --out runs/vina",
            "      (the mini-vina reference recipe; its valid_loss is over the first 64 windows of wiki.txt then legal.txt)",
            "  prunekit train --from runs/pruned --data corpus.txt --steps 200 --lr 3e-4 --warmup 20 --out runs/healed",
            "  prunekit train ... --out runs/vina --resume        # continue after a crash or kill"})
public final class TrainCommand implements Callable<Integer> {
    /** Where the starting weights come from. */
    static final class Source {
        @Option(names = "--init", paramLabel = "CONFIG.json", description = "HF config.json: new weights, N(0, --init-std)")
        Path init;

        @Option(names = "--from", paramLabel = "MODEL", description = "HF directory, .gguf or llama2.c .bin to continue from")
        Path from;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1") Source source = new Source();
    @Mixin JsonOutput json;
    @Mixin AllowNonFinite allowNonFinite;
    @Mixin ThreadsOption threads;
    @Spec CommandSpec spec;
    @Mixin OverwriteOption overwrite;

    @Option(names = "--data", required = true, arity = "1..*", paramLabel = "FILE", description = "training text files, in order")
    List<Path> data;
    @Option(names = "--tokenizer", paramLabel = "FILE", description = "tokenizer.json (required with --init; default: the model's)")
    Path tokenizer;
    @Option(names = "--steps", required = true, paramLabel = "N", description = "optimizer steps (the schedule ends here)")
    int steps;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory")
    Path out;
    @Option(names = "--resume", description = "continue from the latest checkpoint in --out (if any)")
    boolean resume;
    @Option(names = "--batch", defaultValue = "16", paramLabel = "B", description = "windows per step (default 16)")
    int batch;
    @Option(names = "--seq", defaultValue = "256", paramLabel = "T", description = "tokens per window (default 256)")
    int seq;
    @Option(names = "--accumulation", defaultValue = "1", paramLabel = "K", description = "micro-batches per step (default 1)")
    int accumulation;
    @Option(names = "--lr", defaultValue = "2e-3", description = "peak learning rate (default 2e-3)")
    double lr;
    @Option(names = "--min-lr", defaultValue = "2e-4", description = "learning rate at the last step (default 2e-4)")
    double minLr;
    @Option(names = "--warmup", defaultValue = "50", paramLabel = "N", description = "linear warmup steps (default 50)")
    int warmup;
    @Option(names = "--weight-decay", defaultValue = "0.1", description = "AdamW decay of matrices (default 0.1)")
    double weightDecay;
    @Option(names = "--betas", defaultValue = "0.9,0.95", split = ",", paramLabel = "B1,B2", description = "AdamW betas (default 0.9,0.95)")
    double[] betas;
    @Option(names = "--clip", defaultValue = "1.0", description = "global gradient-norm clip, 0 = off (default 1.0)")
    double clip;
    @Option(names = "--seed", defaultValue = "1234", description = "seed of the data order and of --init (default 1234)")
    long seed;
    @Option(names = "--init-std", defaultValue = "0.02", description = "std of new weights with --init (default 0.02)")
    double initStd;
    @Option(names = "--train", arity = "1..*", paramLabel = "REGEX", description = "train only tensors matching (default all)")
    List<String> trainRegex;
    @Option(names = "--freeze", arity = "1..*", paramLabel = "REGEX", description = "freeze tensors matching")
    List<String> freezeRegex;
    @Option(names = "--valid", arity = "1..*", paramLabel = "FILE", description = "validation text files, in order (scored: the first --eval-windows windows)")
    List<Path> valid;
    @Option(names = "--eval-every", defaultValue = "100", paramLabel = "N", description = "validate every N steps and at the end (default 100)")
    int evalEvery;
    @Option(names = "--eval-windows", defaultValue = "64", paramLabel = "N", description = "validation windows (default 64)")
    int evalWindows;
    @Option(names = "--checkpoint-every", defaultValue = "100", paramLabel = "N", description = "checkpoint every N steps and at the end (default 100)")
    int checkpointEvery;
    @Option(names = "--log-every", defaultValue = "10", paramLabel = "N", description = "progress line every N steps (default 10)")
    int logEvery;
    @Option(names = "--reference-log", paramLabel = "FILE",
            description = "another run's training_log.json to draw beside ours in loss.png")
    Path referenceLog;

    @Option(names = "--dtype", paramLabel = "f32|f16|bf16", description = "dtype of the final checkpoint (default: the source's; f32 with --init)")
    DType dtype;

    @Override
    public Integer call() throws java.io.IOException {
        try (OutputGuard g = overwrite.resumable(out, resume, OverwriteOption.all(data, valid, java.util.Arrays.asList(source.init, source.from, tokenizer, referenceLog)))) {
            return g.commitIf(write());
        }
    }

    private Integer write() throws java.io.IOException {
        if (source.from == null && source.init == null && !resume) {
            throw new IllegalArgumentException("give --init CONFIG.json (new model) or --from MODEL (or --resume)");
        }
        TrainRecipe recipe = recipe();
        Model initial;
        Tokenizer tok;
        DType outDtype;
        if (source.from != null) {
            initial = ModelLoader.load(source.from, tokenizer);
            tok = Models.requireTokenizer(initial);
            outDtype = initial.weights().storedDtype();
        } else if (source.init != null) {
            tok = requireTokenizerFile();
            LlamaConfig config = HfConfigJson.read(source.init);
            MemoryCheck.require("train", MemoryCheck.wholeModel(config, MemoryCheck.TRAINING_BYTES_PER_PARAM),
                    MemoryCheck.physicalBytes(), "give a smaller config in " + source.init);
            initial = new Model(config, Initializer.initialize(config, seed, initStd), tok, source.init.toString());
            outDtype = DType.F32;
        } else {
            tok = requireTokenizerFile();
            initial = null; // --resume: the checkpoint in --out has the weights
            outDtype = DType.F32;
        }
        TrainData trainData = TrainData.of(TokenStream.of(data, tok), valid == null ? null : TokenStream.of(valid, tok));
        PrintWriter err = spec.commandLine().getErr();
        err.printf("train: %d training tokens, %s validation tokens; %d steps of %d x %d tokens%n", trainData.train().length,
                valid == null ? "no" : String.valueOf(trainData.valid().ids().length), steps, batch, seq);
        TrainResult r = new Trainer(Recipe.train(recipe), RunOptions.defaults(), trainData, out,
                new ProgressLines(err, logEvery)).run(initial, null, resume);
        Path modelDir = out.resolve("model");
        DType d = dtype != null ? dtype : outDtype;
        HfCheckpoint.writeWith(new Model(r.weights().config(), r.weights(), tok, "prunekit train " + out), modelDir,
                HfCheckpoint.WriteOptions.defaults().withDtype(d).withOverwrite(true));
        Map<String, Object> res = summary(r, modelDir);
        res.put("chart", LossCharts.write(r.log(), "prunekit train", referenceLog, out.resolve("loss")).png().toString());
        json.print(spec.commandLine().getOut(), res, () -> String.format(
                "trained %d steps: train loss %.4f, valid loss %s, %d skipped; model in %s, log in %s",
                r.lastStep(), r.log().lastLoss(), r.log().lastValidLoss().isPresent()
                        ? String.format("%.4f", r.log().lastValidLoss().getAsDouble()) : "n/a", r.log().skippedCount(),
                modelDir, out.resolve(RunReport.TRAIN_FILE)));
        return 0;
    }

    private TrainRecipe recipe() {
        if (betas.length != 2) {
            throw new IllegalArgumentException("--betas takes two numbers, e.g. 0.9,0.95");
        }
        ParamSelection sel = trainRegex == null ? ParamSelection.ALL : ParamSelection.regex(trainRegex.toArray(String[]::new));
        if (freezeRegex != null) {
            sel = sel.freezing(freezeRegex.toArray(String[]::new));
        }
        return TrainRecipe.builder().steps(steps).batch(batch).seq(seq).accumulation(accumulation).lr(lr).minLr(minLr)
                .warmup(warmup).beta1(betas[0]).beta2(betas[1]).weightDecay(weightDecay).clip(clip).seed(seed)
                .trainable(sel).evalEvery(evalEvery).evalWindows(evalWindows).checkpointEvery(checkpointEvery).build();
    }

    private Tokenizer requireTokenizerFile() {
        if (tokenizer == null) {
            throw new IllegalArgumentException("--tokenizer FILE is required with --init (and with --resume without --from)");
        }
        return ModelLoader.loadTokenizer(tokenizer);
    }

    private Map<String, Object> summary(TrainResult r, Path modelDir) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("steps", r.lastStep());
        m.put("finished", r.finished());
        m.put("train_loss", r.log().lastLoss());
        r.log().lastValidLoss().ifPresent(v -> m.put("valid_loss", v));
        m.put("skipped_steps", r.log().skippedCount());
        m.put("model", modelDir.toString());
        m.put("log", out.resolve(RunReport.TRAIN_FILE).toString());
        return m;
    }

    /** One stderr line every N steps (and for every skip, validation and checkpoint): step, loss, rate, ETA. */
    static final class ProgressLines implements TrainListener {
        private final PrintWriter err;
        private final int every;

        ProgressLines(PrintWriter err, int every) {
            this.err = err;
            this.every = Math.max(1, every);
        }

        @Override
        public void onStep(TrainLog.Entry e, int total, double tokensPerSecond, double etaSeconds) {
            if (e.skipped()) {
                err.printf("step %d/%d SKIPPED: %s%n", e.step(), total, e.skipReason());
            } else if (e.step() % every == 0 || e.step() == total || e.step() == 1) {
                err.printf("step %d/%d  loss %.4f  lr %.2e  |g| %.3f  %.0f tok/s  ETA %s%n", e.step(), total, e.loss(),
                        e.lr(), e.gradNorm(), tokensPerSecond, duration(etaSeconds));
            }
            err.flush();
        }

        @Override
        public void onValidation(int step, double validLoss) {
            err.printf("step %d  valid loss %.4f  (ppl %.2f)%n", step, validLoss, Math.exp(validLoss));
            err.flush();
        }

        @Override
        public void onCheckpoint(int step, Path dir) {
            err.printf("step %d  checkpoint %s%n", step, dir);
            err.flush();
        }

        @Override
        public void onResume(int step, Path dir) {
            err.printf("resuming after step %d from %s%n", step, dir);
            err.flush();
        }

        static String duration(double s) {
            long t = Math.round(s);
            return t >= 3600 ? String.format("%dh%02dm", t / 3600, t / 60 % 60) : String.format("%dm%02ds", t / 60, t % 60);
        }
    }
}
