package prunekit.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;
import prunekit.core.model.DType;

/** The tuning options of {@code prunekit recover}: batch, schedule, LoRA, distillation, validation, checkpoints. */
public final class RecoverArgs {
    static final double FULL_LR = 5e-4;
    static final double LORA_LR = 2e-3;

    @Option(names = "--batch", defaultValue = "16", paramLabel = "B", description = "windows per step (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--seq", paramLabel = "T", description = "tokens per window (default: the model's context)")
    Integer seq;

    @Option(names = "--accumulation", defaultValue = "1", paramLabel = "N", description = "micro-batches per step (default ${DEFAULT-VALUE})")
    int accumulation;

    @Option(names = "--lr", paramLabel = "LR", description = "peak learning rate (default: full " + FULL_LR + ", lora " + LORA_LR + ")")
    Double lr;

    @Option(names = "--min-lr", paramLabel = "LR", description = "cosine floor (default: lr / 10)")
    Double minLr;

    @Option(names = "--warmup", paramLabel = "N", description = "warmup steps (default: 5%% of the steps)")
    Integer warmup;

    @Option(names = "--weight-decay", defaultValue = "0", paramLabel = "WD", description = "AdamW weight decay on matrices (default ${DEFAULT-VALUE})")
    double weightDecay;

    @Option(names = "--clip", defaultValue = "1.0", paramLabel = "C", description = "gradient clipping by global norm, 0 = off (default ${DEFAULT-VALUE})")
    double clip;

    @Option(names = "--seed", defaultValue = "1234", paramLabel = "S", description = "data order and LoRA init (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--freeze", arity = "1..*", paramLabel = "REGEX",
            description = "full mode: tensors matching these full-name regexes stay as they are (e.g. 'model\\.embed_tokens\\..*' 'lm_head\\..*')")
    List<String> freeze;

    @Option(names = "--lora-rank", defaultValue = "16", paramLabel = "R", description = "LoRA rank (default ${DEFAULT-VALUE})")
    int loraRank;

    @Option(names = "--lora-alpha", defaultValue = "32", paramLabel = "A", description = "LoRA alpha; B·A is scaled by alpha / rank (default ${DEFAULT-VALUE})")
    double loraAlpha;

    @Option(names = "--lora-targets", defaultValue = "q,k,v,o,gate,up,down", paramLabel = "LIST",
            description = "projections that get adapters (default ${DEFAULT-VALUE}); LoRA has no dropout here (see LoraSpec)")
    String loraTargets;

    @Option(names = "--alpha", defaultValue = "0.5", paramLabel = "A", description = "weight of KD in --loss mix (default ${DEFAULT-VALUE})")
    double alpha;

    @Option(names = "--temperature", defaultValue = "1.0", paramLabel = "T", description = "distillation temperature (default ${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--hidden-weight", defaultValue = "0", paramLabel = "W",
            description = "add W x relative MSE of hidden states (same hidden size only; default ${DEFAULT-VALUE} = off)")
    double hiddenWeight;

    @Option(names = "--hidden-layers", split = ",", paramLabel = "L,...", description = "layers whose outputs are matched (default: the last)")
    List<Integer> hiddenLayers;

    @Option(names = "--teacher-cache", paramLabel = "DIR",
            description = "cache the teacher's top-k distributions here and reuse them (runs with the same data, seed, batch, seq)")
    Path teacherCache;

    @Option(names = "--top-k", defaultValue = "64", paramLabel = "K",
            description = "tokens per position kept in --teacher-cache; the rest of the mass is one bucket (default ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--eval-every", paramLabel = "N", description = "validate every N steps (default: a tenth of the steps)")
    Integer evalEvery;

    @Option(names = "--eval-windows", defaultValue = "32", paramLabel = "N", description = "validation windows: the first N of --valid (default ${DEFAULT-VALUE})")
    int evalWindows;

    @Option(names = "--checkpoint-every", paramLabel = "N", description = "checkpoint every N steps (default: --eval-every)")
    Integer checkpointEvery;

    @Option(names = "--keep-checkpoints", defaultValue = "2", paramLabel = "N", description = "checkpoints kept (default ${DEFAULT-VALUE})")
    int keepCheckpoints;

    @Option(names = "--dtype", paramLabel = "f32|bf16|f16", description = "dtype of DIR/recovered (default: the pruned model's)")
    DType dtype;
}
