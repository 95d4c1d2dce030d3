package prunekit.cli;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import prunekit.core.engine.MemoryCheck;
import prunekit.core.io.LazyModel;
import prunekit.core.io.ModelLoader;
import prunekit.core.io.OutputGuard;
import prunekit.core.model.Model;
import prunekit.pipeline.RecoverStage;
import prunekit.recover.LoraSpec;
import prunekit.recover.LossKind;
import prunekit.recover.LossSpec;
import prunekit.recover.ParamSelection;
import prunekit.recover.Recipe;
import prunekit.recover.Device;
import prunekit.recover.RunOptions;
import prunekit.recover.TokenBudget;
import prunekit.recover.TrainRecipe;

/**
 * {@code prunekit recover PRUNED --teacher DENSE --data FILE... (--tokens N | --steps N) --mode full|lora
 * --loss ce|kd|mix --out DIR}: heals a pruned model; writes DIR/recovered (HF checkpoint), DIR/recover.json,
 * DIR/checkpoints/ and DIR/recovery.png|svg.
 */
@Command(name = "recover", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Heal a pruned model by full fine-tuning or LoRA, on next-token cross-entropy (ce), distillation"
                + " from the dense teacher (kd: KL(teacher_T || student_T)·T²) or both (mix: alpha·KD + (1-alpha)·CE)."
                + " Validates on the first --eval-windows windows of --valid (perplexity protocol) and keeps the best"
                + " model in DIR/recovered; checkpoints make --resume exact.",
        footer = {"", "Examples:",
            "  prunekit recover run/pruned --teacher ../shared/models/mini-vina --data ../shared/data/vi/train/*.txt \\",
            "      --valid ../shared/data/vi/valid/wiki.txt ../shared/data/vi/valid/legal.txt --tokens 2M --mode lora --loss kd --out run/lora-kd",
            "  prunekit recover run/pruned --teacher DENSE --data train.txt --steps 500 --mode full --loss mix --alpha 0.5 \\",
            "      --teacher-cache run/teacher-top64 --top-k 64 --out run/full-mix",
            "  prunekit recover run/pruned --teacher DENSE --data train.txt --steps 500 --mode full --loss kd --out run/full-kd --resume"})
public final class RecoverCommand implements Callable<Integer> {
    @Mixin JsonOutput json;
    @Mixin AllowNonFinite allowNonFinite;
    @Mixin ThreadsOption threads;
    @Spec CommandSpec spec;
    @Mixin OverwriteOption overwrite;

    @Parameters(index = "0", paramLabel = "PRUNED", description = "the pruned model (HF directory, .gguf, llama2.c .bin)")
    Path pruned;

    @Option(names = "--teacher", paramLabel = "DENSE", description = "the dense model to distill from (needed by kd and mix)")
    Path teacher;

    @Option(names = "--data", required = true, arity = "1..*", paramLabel = "FILE", description = "training text (blocks at blank lines)")
    List<Path> data;

    @Option(names = "--valid", arity = "1..*", paramLabel = "FILE", description = "held-out text for validation")
    List<Path> valid;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Length length;

    /** Exactly one of --tokens and --steps. */
    static final class Length {
        @Option(names = "--tokens", paramLabel = "N", description = "token budget: 2M, 500K, 250000 (rounded up to whole steps)")
        String tokens;

        @Option(names = "--steps", paramLabel = "N", description = "optimizer steps")
        Integer steps;
    }

    @Option(names = "--mode", defaultValue = "lora", paramLabel = "full|lora", description = "what trains (default ${DEFAULT-VALUE})")
    Recipe.Mode mode;

    @Option(names = "--loss", defaultValue = "kd", paramLabel = "ce|kd|mix", description = "the objective (default ${DEFAULT-VALUE})")
    LossKind loss;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory")
    Path out;

    @Option(names = "--resume", description = "continue the run in --out from its latest checkpoint")
    boolean resume;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|cpu-native|cuda", description = "where the steps"
            + " run: our engine, the C reference of cuda-kernels/ through JNI, or an NVIDIA GPU (native: --mode full;"
            + " library from cuda-kernels/build or -Dprunekit.native); default ${DEFAULT-VALUE}")
    Device device;

    @Mixin RecoverArgs args;

    /** Refuses before loading when the student (trained) and the teacher do not fit in this machine's memory. */
    private static void requireFits(Path student, Path teacher) {
        long need;
        try (LazyModel s = ModelLoader.open(student, null)) {
            need = MemoryCheck.wholeModel(s.config(), MemoryCheck.TRAINING_BYTES_PER_PARAM);
        }
        if (teacher != null) {
            try (LazyModel t = ModelLoader.open(teacher, null)) {
                need += MemoryCheck.wholeModel(t.config(), MemoryCheck.INFERENCE_BYTES_PER_PARAM);
            }
        }
        MemoryCheck.require("recover", need, MemoryCheck.physicalBytes(), "recover on a GPU machine, or train the"
                + " uniform output (a stock HF LlamaForCausalLM checkpoint) with a distributed trainer");
    }

    @Override
    public Integer call() throws IOException {
        try (OutputGuard g = overwrite.resumable(out, resume, OverwriteOption.all(List.of(pruned), data, valid, teacher == null ? null : List.of(teacher)))) {
            return g.commitIf(write());
        }
    }

    private Integer write() throws IOException {
        requireFits(pruned, teacher);
        Model student = ModelLoader.load(pruned, null);
        Model dense = teacher == null ? null : ModelLoader.load(teacher, null);
        int seq = args.seq != null ? args.seq : student.config().maxPositions();
        Recipe recipe = recipe(seq);
        RecoverStage.Result r = RecoverStage.run(student, dense, new RecoverStage.Options(recipe,
                new RunOptions(args.teacherCache, args.dtype, device), data, valid, out, resume), Progress::new, System.err::println);
        JsonObject report = r.run().report().deepCopy();
        report.remove("log");
        report.addProperty("recovered", r.recovered().toString());
        json.print(spec.commandLine().getOut(), report, () -> summary(report));
        return 0;
    }

    private Recipe recipe(int seq) {
        Recipe.Mode m = mode;
        int perStep = args.batch * seq;
        int steps = length.steps != null ? length.steps : TokenBudget.steps(TokenBudget.parseTokens(length.tokens), perStep);
        if (steps < 1) {
            throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
        }
        double lr = args.lr != null ? args.lr : m == Recipe.Mode.LORA ? RecoverArgs.LORA_LR : RecoverArgs.FULL_LR;
        int warmup = args.warmup != null ? args.warmup : Math.max(1, Math.min(steps, (int) Math.round(0.05 * steps)));
        int evalEvery = args.evalEvery != null ? args.evalEvery : Math.max(1, steps / 10);
        TrainRecipe train = TrainRecipe.builder().steps(steps).batch(args.batch).seq(seq).accumulation(args.accumulation)
                .lr(lr).minLr(args.minLr != null ? args.minLr : lr / 10).warmup(warmup).weightDecay(args.weightDecay)
                .clip(args.clip).seed(args.seed).evalEvery(evalEvery).evalWindows(args.evalWindows)
                .checkpointEvery(args.checkpointEvery != null ? args.checkpointEvery : evalEvery)
                .keepCheckpoints(args.keepCheckpoints).trainable(trainable(m)).build();
        LoraSpec lora = m == Recipe.Mode.LORA
                ? new LoraSpec(args.loraRank, args.loraAlpha, LoraSpec.parseTargets(args.loraTargets), args.seed) : null;
        LossSpec l = new LossSpec(loss, args.alpha, args.temperature, args.hiddenWeight, args.hiddenLayers);
        return Recipe.recover(train, m, lora, l, args.teacherCache != null ? args.topK : 0);
    }

    /** Full mode: everything but {@code --freeze}; LoRA trains its adapters, so a freeze list there is refused. */
    private ParamSelection trainable(Recipe.Mode m) {
        if (args.freeze == null) {
            return ParamSelection.ALL;
        }
        if (m == Recipe.Mode.LORA) {
            throw new IllegalArgumentException("--freeze is for --mode full; under LoRA only the adapters train (--lora-targets)");
        }
        return ParamSelection.ALL.freezing(args.freeze.toArray(String[]::new));
    }

    private static String summary(JsonObject r) {
        return String.format(Locale.ROOT, "%s %s: %d steps, %,d tokens in %.0f s (%d tokens/s); valid ppl %s -> %s (best step %s,"
                        + " teacher %s); wrote %s", r.get("mode").getAsString(), r.get("loss").getAsString(),
                r.get("steps").getAsInt(), r.get("tokens").getAsLong(), r.get("seconds").getAsDouble(),
                r.get("tokens_per_second").getAsLong(), fmt(r, "pruned_valid_perplexity"), fmt(r, "best_valid_perplexity"),
                r.has("best_step") ? r.get("best_step").getAsString() : "-", fmt(r, "teacher_valid_perplexity"),
                r.get("recovered").getAsString());
    }

    private static String fmt(JsonObject r, String key) {
        return r.has(key) ? String.format(Locale.ROOT, "%.2f", r.get(key).getAsDouble()) : "-";
    }
}
