package prunekit.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import prunekit.pipeline.Demo;
import prunekit.pipeline.recipe.RecipeParser;
import prunekit.pipeline.recipe.RecipeRunner;
import prunekit.pipeline.recipe.RunRecipe;
import prunekit.pipeline.recipe.StageKind;
import prunekit.pipeline.recipe.SweepRow;

/** {@code prunekit run RECIPE.yaml --out RUN}: every stage of a recipe (docs/recipe.md), reusing what is done. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a recipe (YAML, see docs/recipe.md): prune sweeps, recovery, export, bench, eval, report. "
                + "Stages already done with the same inputs and settings are reused; a killed run resumes.",
        footer = {"", "Examples:", "  prunekit run examples/mini-vina-sweep.yaml --out runs/sweep",
            "  prunekit run --demo --out runs/demo", "  prunekit run --print-demo > recipe.yaml"})
public final class RunCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin JsonOutput json;
    @Mixin ThreadsOption threads;

    @Parameters(index = "0", arity = "0..1", paramLabel = "RECIPE", description = "the recipe (YAML)")
    Path recipe;

    @Option(names = "--out", paramLabel = "DIR", description = "run directory (default with --demo: runs/demo)")
    Path out;

    @Option(names = "--from", paramLabel = "STAGE",
            description = "rerun this stage kind and every later one: generate, score, prune, plot, recover, eval, export, bench, report")
    String from;

    @Option(names = "--demo", description = "run the built-in demo recipe (the embedded models and data)")
    boolean demo;

    @Option(names = "--print-demo", description = "print the built-in demo recipe, to start your own")
    boolean printDemo;

    @Override
    public Integer call() throws Exception {
        if (printDemo) {
            spec.commandLine().getOut().print(Demo.printable(home()));
            spec.commandLine().getOut().flush();
            return 0;
        }
        if (demo == (recipe != null)) {
            throw new IllegalArgumentException("give a RECIPE file or --demo (one of them)");
        }
        if (out == null && !demo) {
            throw new IllegalArgumentException("give --out DIR for the run");
        }
        String text = demo ? Demo.recipeText() : RecipeParser.read(recipe);
        RunRecipe r = demo ? RecipeParser.parse("demo.yaml (built in)", text, home())
                : RecipeParser.parse(recipe.toString(), text, recipe.toAbsolutePath().getParent());
        PrintWriter log = json.enabled() ? spec.commandLine().getErr() : spec.commandLine().getOut();
        RecipeRunner.Result res = RecipeRunner.run(r, text, new RecipeRunner.Options(out != null ? out : Path.of("runs/demo"),
                from == null ? null : StageKind.parse(from)), log, Progress::new, System.err::println);
        Map<String, Object> m = new LinkedHashMap<>();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (SweepRow s : res.rows()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", s.name());
            row.put("parameters", s.parameters());
            row.put("perplexity", s.perplexity());
            row.put("ort_speedup", s.speedup());
            rows.add(row);
        }
        m.put("configurations", rows);
        m.put("stages_run", res.stagesRun());
        m.put("stages_reused", res.stagesReused());
        m.put("sweep", res.sweep() == null ? null : res.sweep().toString());
        m.put("report", res.report() == null ? null : res.report().toString());
        json.print(spec.commandLine().getOut(), m, () -> table(res));
        return 0;
    }

    /** The checkout holding the embedded models and data (the demo's base). */
    static Path home() {
        return ModelArg.defaultModel().toAbsolutePath().getParent().getParent();
    }

    static String table(RecipeRunner.Result res) {
        StringBuilder t = new StringBuilder("\n");
        t.append(String.format(Locale.ROOT, "%-36s %12s %12s %10s%n", "configuration", "parameters", "perplexity", "speedup"));
        for (SweepRow s : res.rows()) {
            t.append(String.format(Locale.ROOT, "%-36s %,12d %12s %10s%n", s.name(), s.parameters(),
                    s.perplexity() == null ? "-" : String.format(Locale.ROOT, "%.2f", s.perplexity()),
                    s.speedup() == null ? "-" : String.format(Locale.ROOT, "%.2fx", s.speedup())));
        }
        t.append("stages: ").append(res.stagesRun()).append(" run, ").append(res.stagesReused()).append(" reused\n");
        t.append("table: ").append(res.sweep() == null ? "none (a front needs the eval and bench sections)" : res.sweep());
        if (res.report() != null) {
            t.append("\nreport: ").append(res.report());
        }
        return t.toString();
    }
}
