package prunekit.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import prunekit.pipeline.Demo;
import prunekit.prune.score.ScorerName;

/**
 * {@code prunekit demo}: the main job on the embedded models and data, with no arguments: the
 * built-in recipe ({@link Demo}; {@code prunekit run --print-demo} prints it) through the recipe
 * engine, so a second run into the same directory reuses every stage.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the main job on the embedded models and data: score, prune to 0.386 of the layers' "
                + "parameters, evaluate, recover by distillation, export to ONNX, verify, benchmark, report (no arguments needed).")
public final class DemoCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin JsonOutput json;
    @Mixin ThreadsOption threads;

    @Option(names = "--out", defaultValue = "runs/demo", paramLabel = "DIR", description = "run directory (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--keep-ratio", defaultValue = "0.386", description = "share of the layers' parameters to keep (default ${DEFAULT-VALUE})")
    double keepRatio;

    @Option(names = "--scorer", defaultValue = "fluctuation", description = "importance scorer (default ${DEFAULT-VALUE}: best in the README table)")
    ScorerName scorer;

    @Option(names = "--recover-tokens", defaultValue = "48K", description = "distillation budget after pruning (default ${DEFAULT-VALUE})")
    String recoverTokens;

    @Override
    public Integer call() throws Exception {
        // with --json the step log goes to stderr and stdout carries only the summary
        PrintWriter log = json.enabled() ? spec.commandLine().getErr() : spec.commandLine().getOut();
        Demo.Result r = Demo.run(new Demo.Options(RunCommand.home(), out, keepRatio, scorer, recoverTokens), log, Progress::new,
                System.err::println);
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("dense", row(r.dense()));
        res.put("pruned", row(r.pruned()));
        Map<String, Object> recovered = new LinkedHashMap<>(); // LinkedHashMap, not Map.of: the same key order every run
        recovered.put("parameters", r.recovered().parameters());
        recovered.put("perplexity", r.recovered().perplexity());
        res.put("recovered", recovered);
        res.put("onnx_parity_passed", r.onnxParityPassed());
        res.put("report", r.report().toString());
        res.put("run", r.run().toString());
        res.put("stages_run", r.stagesRun());
        res.put("stages_reused", r.stagesReused());
        json.print(spec.commandLine().getOut(), res, () -> table(r));
        log.flush();
        return 0;
    }

    private static Map<String, Object> row(Demo.Row row) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("parameters", row.parameters());
        m.put("perplexity", row.perplexity());
        m.put("decode_tokens_per_s", row.decodeTokensPerSecond());
        return m;
    }

    private static String table(Demo.Result r) {
        StringBuilder t = new StringBuilder("\n");
        t.append(String.format(Locale.ROOT, "%-22s %12s %12s %16s%n", "model", "parameters", "perplexity", "decode tok/s (b1)"));
        t.append(String.format(Locale.ROOT, "%-22s %,12d %12.2f %16.1f%n", "mini-vina dense", r.dense().parameters(),
                r.dense().perplexity(), r.dense().decodeTokensPerSecond()));
        t.append(String.format(Locale.ROOT, "%-22s %,12d %12.2f %16.1f%n", "mini-vina pruned", r.pruned().parameters(),
                r.pruned().perplexity(), r.pruned().decodeTokensPerSecond()));
        t.append(String.format(Locale.ROOT, "%-22s %,12d %12.2f %16s%n", "  + recovered (KD)", r.recovered().parameters(),
                r.recovered().perplexity(), "(same shapes)"));
        t.append("ONNX parity of the pruned model: ").append(r.onnxParityPassed() ? "passed" : "FAILED").append('\n');
        t.append("stages: ").append(r.stagesRun()).append(" run, ").append(r.stagesReused()).append(" reused\n");
        t.append("report: ").append(r.report());
        return t.toString();
    }
}
