package prunekit.core.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * The configs of well-known LLaMA-family models, as their Hugging Face {@code config.json} gives
 * them, for synthetic checkpoints of the right size ({@code prunekit synth --like NAME}); {@code TINY}
 * is a few-hundred-thousand-parameter shape for tests.
 */
public enum ReferenceShape {
    // name, vocab, hidden, layers, heads, kv heads, ffn, max positions, rope theta, bos, eos
    LLAMA_2_7B("llama-2-7b", 32000, 4096, 32, 32, 32, 11008, 4096, 10000, 1, 2),
    LLAMA_2_13B("llama-2-13b", 32000, 5120, 40, 40, 40, 13824, 4096, 10000, 1, 2),
    LLAMA_3_8B("llama-3-8b", 128256, 4096, 32, 32, 8, 14336, 8192, 500000, 128000, 128001),
    TINYLLAMA_1_1B("tinyllama-1.1b", 32000, 2048, 22, 32, 4, 5632, 2048, 10000, 1, 2),
    /** TinyLlama's widths with full multi-head attention: 1.26B parameters. */
    MHA_1_26B("mha-1.26b", 32000, 2048, 22, 16, 16, 5632, 2048, 10000, 1, 2),
    TINY("tiny", 512, 64, 2, 4, 2, 160, 256, 10000, 1, 2);

    public final String cliName;
    private final LlamaConfig config;

    ReferenceShape(String cliName, int vocab, int hidden, int layers, int heads, int kvHeads, int ffn, int maxPositions,
                   double ropeTheta, int bos, int eos) {
        this.cliName = cliName;
        this.config = LlamaConfig.builder().vocabSize(vocab).hidden(hidden).headDim(hidden / heads)
                .uniformLayers(layers, new LayerShape(heads, kvHeads, ffn)).rmsNormEps(1e-5).ropeTheta(ropeTheta)
                .tieWordEmbeddings(false).bosId(bos).eosId(eos).maxPositions(maxPositions).build();
    }

    /** The model's config. */
    public LlamaConfig config() {
        return config;
    }

    /** The config with {@code layers} copies of its layer shape (a cheaper model of the same width). */
    public LlamaConfig withLayers(int layers) {
        if (layers <= 0) {
            throw new IllegalArgumentException("--layers must be positive, got " + layers);
        }
        return config.toBuilder().uniformLayers(layers, config.layer(0)).build();
    }

    /** By its CLI name ({@code llama-2-7b}) or enum name, case-insensitive. */
    public static ReferenceShape parse(String s) {
        String k = s.toLowerCase(Locale.ROOT);
        for (ReferenceShape r : values()) {
            if (r.cliName.equals(k) || r.name().toLowerCase(Locale.ROOT).equals(k)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown --like '" + s + "'; use one of "
                + Arrays.stream(values()).map(r -> r.cliName).toList());
    }

    @Override
    public String toString() {
        return cliName;
    }
}
