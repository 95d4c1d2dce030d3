package prunekit.pipeline.recipe;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import prunekit.prune.budget.AttentionUnit;
import prunekit.prune.budget.Budget;
import prunekit.prune.recon.Recon;
import prunekit.prune.score.ScorerName;
import prunekit.recover.LossKind;
import prunekit.recover.Recipe;
import prunekit.recover.TokenBudget;

/** Reads a recipe's YAML into a {@link RunRecipe}, checking every key and type (the schema is docs/recipe.md). */
public final class RecipeParser {
    private static final Set<String> TOP = Set.of("name", "base", "model", "data", "generate", "prune", "recover",
            "export", "bench", "eval", "report");

    private RecipeParser() {
    }

    public static RunRecipe parse(Path file) throws IOException {
        return parse(file.toString(), read(file), file.toAbsolutePath().getParent());
    }

    /** The recipe file's text; a file that is not UTF-8 is a {@link RecipeException} naming it. */
    public static String read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new RecipeException(file.toString(), 1, "", "not UTF-8 text; a recipe is a YAML file (docs/recipe.md)");
        }
    }

    /** {@code dir}: what relative paths start from when the recipe gives no {@code base}. */
    public static RunRecipe parse(String label, String yaml, Path dir) {
        YamlSection top = YamlSection.root(label, yaml, TOP);
        Path base = dir.resolve(top.string("base", ".")).normalize();
        if (!top.has("model")) {
            throw top.fail(null, "model: missing; give the dense model's folder or file");
        }
        if (!top.has("prune")) {
            throw top.fail(null, "prune: missing; give at least a scorer and a keep_ratio");
        }
        Path model = base.resolve(top.string("model", null)).normalize();
        if (!Files.exists(model)) {
            throw top.fail("model", "'" + model + "' does not exist; give the dense model's folder or file (paths start"
                    + " from base " + base + ")");
        }
        YamlSection data = top.section("data", Set.of("calib", "valid"));
        List<Path> calib = data == null ? List.of() : paths(data, "calib", base);
        List<Path> valid = data == null ? List.of() : paths(data, "valid", base);
        if (calib.isEmpty()) {
            throw top.fail(data == null ? null : "data", "data.calib: missing; the prune scorers need calibration text");
        }
        List<RunRecipe.Generate> gen = new ArrayList<>();
        for (YamlSection g : top.sections("generate", Set.of("model", "prompt", "max_positions"))) {
            gen.add(new RunRecipe.Generate(g.has("model") ? base.resolve(g.string("model", null)) : null,
                    required(g, "prompt"), g.integer("max_positions", 60, 2)));
        }
        YamlSection ev = top.section("eval", Set.of("batch", "ctx", "tasks"));
        if (ev != null && valid.isEmpty()) {
            throw ev.fail(null, "held-out perplexity needs data.valid: give held-out text files there");
        }
        RunRecipe.Eval eval = valid.isEmpty() ? null : ev == null ? new RunRecipe.Eval(8, null, List.of())
                : new RunRecipe.Eval(ev.integer("batch", 8, 1), ev.has("ctx") ? ev.integer("ctx", 0, 2) : null,
                        paths(ev, "tasks", base));
        RunRecipe.Export export = export(top.section("export", Set.of("formats", "models", "verify")));
        RunRecipe.Bench bench = bench(top.section("bench", Set.of("prefill", "batches", "context", "steps", "warmup",
                "runs", "threads", "seed")));
        if (bench != null && (export == null || !export.formats().contains(RunRecipe.Format.ONNX)
                || !export.models().containsAll(List.of(RunRecipe.Which.DENSE, RunRecipe.Which.PRUNED)))) {
            throw top.fail("bench", "bench times the ONNX files: add export: {formats: [onnx], models: [dense, pruned]}");
        }
        return new RunRecipe(top.string("name", "recipe"), model, calib, valid, gen,
                prune(top.section("prune", Set.of("scorer", "keep_ratio", "scope", "uniform", "attention", "align",
                        "samples", "seq_len", "seed", "recon"))), recover(top), export, bench, eval, top.bool("report", true));
    }

    private static RunRecipe.Prune prune(YamlSection p) {
        if (!p.has("scorer") || !p.has("keep_ratio")) {
            throw p.fail(null, "needs scorer (a method or a list: recon or a scorer) and keep_ratio (one or a list)");
        }
        List<PruneMethod> methods = p.choices("scorer", PruneMethod.choices(), null);
        boolean uniform = p.bool("uniform", true);
        int align = p.integer("align", 1, 1);
        RunRecipe.ReconSettings recon = recon(p.section("recon", Set.of("samples", "seq_len", "search_generations")),
                uniform);
        if (methods.contains(new PruneMethod.Recon()) && align != 1) {
            throw p.fail("align", "goes with a scorer (recon keeps the exact budget); remove align, or recon from scorer");
        }
        return new RunRecipe.Prune(methods, p.numbers("keep_ratio", null, 1e-6, 1.0),
                p.choice("scope", choicesOf(Budget.Scope.values()), Budget.Scope.LAYERS), uniform,
                p.choice("attention", choicesOf(AttentionUnit.values()), AttentionUnit.KV_GROUPS), align,
                p.integer("samples", 32, 1), p.integer("seq_len", 128, 2), p.integer("seed", 0, 0), recon);
    }

    /** {@code prune.recon}: [256] windows of [256] tokens, [0] search generations (the uniform allocation). */
    private static RunRecipe.ReconSettings recon(YamlSection r, boolean uniform) {
        if (r == null) {
            return new RunRecipe.ReconSettings(Recon.DEFAULT_SAMPLES, Recon.DEFAULT_SEQ_LEN, 0);
        }
        int generations = r.integer("search_generations", 0, 0);
        if (generations > 0 && uniform) {
            throw r.fail("search_generations", "a searched allocation gives each layer its own shape; add"
                    + " prune.uniform: false, or set search_generations: 0");
        }
        return new RunRecipe.ReconSettings(r.integer("samples", Recon.DEFAULT_SAMPLES, 1),
                r.integer("seq_len", Recon.DEFAULT_SEQ_LEN, 2), generations);
    }

    private static List<RunRecipe.Recover> recover(YamlSection top) {
        List<RunRecipe.Recover> out = new ArrayList<>();
        for (YamlSection r : top.sections("recover", Set.of("name", "tokens", "mode", "loss", "lr", "batch", "seq",
                "eval_windows", "lora_rank", "seed"))) {
            String tokens = required(r, "tokens");
            try {
                TokenBudget.parseTokens(tokens);
            } catch (IllegalArgumentException e) {
                throw r.fail("tokens", "'" + tokens + "' is not a token count; allowed: a count like 48K or 2M");
            }
            Recipe.Mode mode = r.choice("mode", choicesOf(Recipe.Mode.values()), Recipe.Mode.FULL);
            LossKind loss = r.choice("loss", choicesOf(LossKind.values()), LossKind.KD);
            String name = r.string("name", mode.name().toLowerCase(Locale.ROOT) + "-" + loss.name().toLowerCase(Locale.ROOT)
                    + "-" + tokens);
            double lr = r.number("lr", mode == Recipe.Mode.LORA ? 2e-3 : 5e-4, 1e-9, 1.0);
            out.add(new RunRecipe.Recover(name, tokens, mode, loss, lr, r.integer("batch", 8, 1), r.integer("seq", 128, 2),
                    r.integer("eval_windows", 8, 1), r.integer("lora_rank", 16, 1), r.integer("seed", 1234, 0)));
            if (out.stream().filter(o -> o.name().equals(name)).count() > 1) {
                throw r.fail("name", "'" + name + "' names two recover entries; give each its own name");
            }
        }
        return out;
    }

    private static RunRecipe.Export export(YamlSection e) {
        if (e == null) {
            return null;
        }
        return new RunRecipe.Export(e.choices("formats", choicesOf(RunRecipe.Format.values()), List.of(RunRecipe.Format.ONNX)),
                e.choices("models", choicesOf(RunRecipe.Which.values()), List.of(RunRecipe.Which.DENSE, RunRecipe.Which.PRUNED)),
                e.bool("verify", true));
    }

    private static RunRecipe.Bench bench(YamlSection b) {
        if (b == null) {
            return null;
        }
        return new RunRecipe.Bench(b.integers("prefill", List.of(128, 256), 1), b.integers("batches", List.of(1, 4), 1),
                b.integer("context", 128, 1), b.integer("steps", 32, 1), b.integer("warmup", 1, 0), b.integer("runs", 3, 1),
                b.integer("threads", 2, 1), b.integer("seed", 42, 0));
    }

    private static List<Path> paths(YamlSection s, String key, Path base) {
        List<Path> out = new ArrayList<>();
        for (String p : s.strings(key, List.of())) {
            Path f = base.resolve(p).normalize();
            if (!Files.exists(f)) {
                throw s.fail(key, "'" + p + "' does not exist (resolved to " + f + "); paths start from base " + base);
            }
            out.add(f);
        }
        return out;
    }

    private static String required(YamlSection s, String key) {
        if (!s.has(key)) {
            throw s.fail(null, key + ": missing");
        }
        return s.string(key, null);
    }

    /** Enum constants by their lower-case names, with '-' for '_' (as the CLI spells them). */
    static <E extends Enum<E>> Map<String, E> choicesOf(E[] values) {
        Map<String, E> m = new LinkedHashMap<>();
        Arrays.stream(values).forEach(v -> m.put(v instanceof ScorerName s ? s.id()
                : v.name().toLowerCase(Locale.ROOT).replace('_', '-'), v));
        if (values.length > 0 && values[0] instanceof AttentionUnit) {
            Arrays.stream(values).forEach(v -> m.put(v.name().toLowerCase(Locale.ROOT), v));
        }
        return m;
    }
}
