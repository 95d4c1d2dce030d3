package prunekit.prune.budget;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import prunekit.core.model.Counts;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;

/**
 * How small the pruned model must be: a keep ratio of all parameters or of the transformer
 * layers' parameters only, a target parameter count, an exact target architecture
 * (Sheared-LLaMA style), or a largest loss of held-out quality (met by a search). Each form
 * checks itself and turns into a parameter target (or a shape, or probes) for a given model,
 * failing with a message that says what to give instead.
 */
public sealed interface Budget {
    /** What a keep ratio counts: every parameter, or those of the transformer layers only. */
    enum Scope { ALL, LAYERS }

    /** A human description, stored in plans. */
    String describe();

    /** Keep {@code ratio} ∈ (0, 1] of the parameters in {@code scope}. */
    record KeepRatio(double ratio, Scope scope) implements Budget {
        public KeepRatio {
            if (!(ratio > 0 && ratio <= 1)) {
                throw new IllegalArgumentException("keep ratio " + ratio + " is outside (0, 1]; give e.g. --keep-ratio 0.7"
                        + " to keep 70% of the parameters");
            }
        }

        public String describe() {
            return String.format(Locale.ROOT, "keep %.4g of %s parameters", ratio,
                    scope == Scope.ALL ? "all" : "the layers'");
        }

        /** The largest total parameter count allowed. */
        public long targetTotal(LlamaConfig c) {
            long total = c.parameterCount();
            if (scope == Scope.ALL) {
                return (long) Math.floor(ratio * total);
            }
            long layers = c.parameterCounts().get("layers");
            return total - layers + (long) Math.floor(ratio * layers);
        }
    }

    /** At most {@code params} parameters in all. */
    record TargetParams(long params) implements Budget {
        public TargetParams {
            if (params <= 0) {
                throw new IllegalArgumentException("--target-params must be positive, got " + params);
            }
        }

        public String describe() {
            return "target " + params + " parameters";
        }

        public long targetTotal(LlamaConfig c) {
            if (params > c.parameterCount()) {
                throw new IllegalArgumentException("target of " + params + " parameters is larger than the model ("
                        + c.parameterCount() + "); give a smaller --target-params");
            }
            return params;
        }
    }

    /**
     * The smallest model whose held-out perplexity on {@code valid} rises by at most {@code maxLoss}
     * (0.1: 10 %) over the dense model's: no parameter target of its own, it is met by a bisection
     * over the keep ratio of {@code scope} with at most {@code maxProbes} probes (each a plan, the
     * surgery and an eval), see the pipeline's QualitySearch.
     */
    record MaxQualityLoss(double maxLoss, Scope scope, List<Path> valid, int maxProbes)
            implements Budget {
        public static final int DEFAULT_PROBES = 6;

        public MaxQualityLoss {
            if (!(maxLoss > 0 && maxLoss < 10)) {
                throw new IllegalArgumentException("--max-quality-loss " + maxLoss + " is outside (0, 10); give e.g. 10%"
                        + " (or 0.1) to allow perplexity 10% above the dense model's");
            }
            if (scope == null) {
                throw new IllegalArgumentException("--max-quality-loss needs a --scope (all or layers)");
            }
            if (valid == null || valid.isEmpty()) {
                throw new IllegalArgumentException("--max-quality-loss measures held-out perplexity: add --valid FILE...");
            }
            valid = List.copyOf(valid);
            if (maxProbes < 1 || maxProbes > 20) {
                throw new IllegalArgumentException("--max-probes must be in 1..20, got " + maxProbes);
            }
        }

        /** {@code 10%} or {@code 0.1}. */
        public static double parseLoss(String s) {
            String t = s.trim();
            try {
                return t.endsWith("%") ? Double.parseDouble(t.substring(0, t.length() - 1).trim()) / 100 : Double.parseDouble(t);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--max-quality-loss '" + s + "' is not a share; write e.g. 10% or 0.1");
            }
        }

        public String describe() {
            return String.format(Locale.ROOT, "held-out perplexity at most %.4g%% above dense (keep ratio of %s"
                    + " parameters searched)", 100 * maxLoss, scope == Scope.ALL ? "all" : "the layers'");
        }

        /** The keep-ratio budget of one probe. */
        public KeepRatio probe(double ratio) {
            return new KeepRatio(ratio, scope);
        }

        /** True when {@code perplexity} is within the budget of {@code dense}. */
        public boolean accepts(double perplexity, double dense) {
            return perplexity <= dense * (1 + maxLoss);
        }
    }

    /** Exactly this shape in every kept layer: hidden size, query heads, KV heads, FFN width, layer count. */
    record TargetArch(int hidden, int heads, int kvHeads, int ffn, int layers) implements Budget {
        public TargetArch {
            if (hidden <= 0 || heads <= 0 || kvHeads <= 0 || ffn <= 0 || layers <= 0) {
                throw new IllegalArgumentException("--target-arch values must be positive: hidden=" + hidden + ", heads="
                        + heads + ", kv-heads=" + kvHeads + ", ffn=" + ffn + ", layers=" + layers);
            }
        }

        /** Parses {@code hidden=H,heads=A,kv-heads=K,ffn=F,layers=L} (all five keys). */
        public static TargetArch parse(String spec) {
            Map<String, Integer> v = new LinkedHashMap<>();
            for (String part : spec.split(",")) {
                String[] kv = part.trim().split("=");
                if (kv.length != 2) {
                    throw new IllegalArgumentException("--target-arch '" + spec + "': expected key=value pairs like"
                            + " hidden=2560,heads=20,kv-heads=20,ffn=6912,layers=32");
                }
                try {
                    v.put(kv[0].trim().toLowerCase(Locale.ROOT).replace('_', '-'), Integer.parseInt(kv[1].trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--target-arch '" + spec + "': " + kv[0] + " is not a whole number");
                }
            }
            for (String k : new String[] {"hidden", "heads", "kv-heads", "ffn", "layers"}) {
                if (!v.containsKey(k)) {
                    throw new IllegalArgumentException("--target-arch '" + spec + "' lacks " + k
                            + "=N; give all of hidden, heads, kv-heads, ffn, layers");
                }
            }
            if (v.size() != 5) {
                throw new IllegalArgumentException("--target-arch '" + spec + "' has unknown keys; use hidden, heads,"
                        + " kv-heads, ffn, layers");
            }
            return new TargetArch(v.get("hidden"), v.get("heads"), v.get("kv-heads"), v.get("ffn"), v.get("layers"));
        }

        public String describe() {
            return "target-arch hidden=" + hidden + ",heads=" + heads + ",kv-heads=" + kvHeads + ",ffn=" + ffn
                    + ",layers=" + layers;
        }

        /** The shape this target gives {@code c}; throws when it is larger or does not divide into whole groups. */
        public LlamaConfig targetConfig(LlamaConfig c) {
            larger("hidden", hidden, c.hidden());
            larger("layers", layers, c.numLayers());
            for (int i = 0; i < c.numLayers(); i++) {
                LayerShape s = c.layer(i);
                larger("heads", heads, s.queryHeads());
                larger("kv-heads", kvHeads, s.kvHeads());
                larger("ffn", ffn, s.ffn());
                attentionCut(s);
            }
            return c.toBuilder().hidden(hidden).uniformLayers(layers, new LayerShape(heads, kvHeads, ffn)).build();
        }

        /** How a layer of shape {@code s} reaches this target's heads: whole KV groups, or equally from every group. */
        public AttentionUnit attentionCut(LayerShape s) {
            int g = s.groupSize();
            if (kvHeads < s.kvHeads() && heads == kvHeads * g) {
                return AttentionUnit.KV_GROUPS;
            }
            if (kvHeads == s.kvHeads() && heads % kvHeads == 0) {
                return AttentionUnit.QUERY_HEADS;
            }
            throw new IllegalArgumentException("--target-arch heads=" + heads + ", kv-heads=" + kvHeads
                    + " does not divide into whole heads and groups of this model (" + s.queryHeads() + " query heads in "
                    + s.kvHeads() + " KV groups of " + g + "): give kv-heads < " + s.kvHeads() + " with heads = kv-heads x "
                    + g + ", or kv-heads = " + s.kvHeads() + " with heads a multiple of " + s.kvHeads());
        }

        private static void larger(String what, int target, int model) {
            if (target > model) {
                throw new IllegalArgumentException("--target-arch " + what + "=" + target + " is larger than the model's "
                        + model + "; pruning only removes");
            }
        }
    }

    /** Parses a parameter count ({@link Counts}: {@code 2.7B}, {@code 500M}, {@code 12k}, or a plain number). */
    static long parseCount(String s) {
        return Counts.parse(s).orElseThrow(() -> new IllegalArgumentException("'" + s
                + "' is not a parameter count; write e.g. 2.7B, 500M, 6.8M or 123456"));
    }
}
