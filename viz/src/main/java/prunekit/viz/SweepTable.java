package prunekit.viz;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The results of a sweep, one row per configuration, as {@code RUN/sweep.json}: what the front
 * chart ({@link SpeedQualityChart} with its Pareto front) and the front table are drawn from.
 * Every record checks its values.
 *
 * <p>Shape (snake_case, like every file prunekit writes):
 * <pre>{@code
 * {
 *   "format": "prunekit-sweep/1",
 *   "protocol": "held-out perplexity of legal-valid.txt, whole file in back-to-back windows of 256 tokens",
 *   "speed_protocol": "ONNX Runtime decode at batch 1, 2 threads",          // optional
 *   "dense": {"name": "dense", "params": 15000000, "ppl": 11.52,
 *             "tasks": [{"task": "vi-cloze", "acc": 0.41}]},                // speedups absent or 1.0
 *   "configurations": [
 *     {"name": "wanda 0.5 + kd", "params": 7600000, "ppl": 16.3,
 *      "speedup_ort": 1.8,                 // required: measured tokens/s over the dense model's
 *      "speedup_llamacpp": 1.7,            // optional: llama.cpp decode at batch 1
 *      "tasks": [{"task": "vi-cloze", "acc": 0.37}]}                      // optional
 *   ]
 * }
 * }</pre>
 * Every row (the dense one included) names the same tasks in the same order, or none at all; the
 * llama.cpp speedup is either given for every configuration or for none. Accuracies are fractions.
 */
public record SweepTable(String format, String protocol, String speedProtocol,
                         Configuration dense, List<Configuration> configurations) {
    public static final String FORMAT = "prunekit-sweep/1";

    /** One task's accuracy in [0, 1]. */
    public record TaskScore(String task, double acc) {
        public TaskScore {
            task = Checks.text(task, "task name");
            if (!(acc >= 0 && acc <= 1)) {
                throw new IllegalArgumentException("task '" + task + "': acc must be a fraction in [0, 1], found " + acc);
            }
        }
    }

    /** One model of the sweep; {@code speedupOrt} is null only for the dense row, where 1 is implied. */
    public record Configuration(String name, long params, double ppl, Double speedupOrt,
                                Double speedupLlamacpp, List<TaskScore> tasks) {
        public Configuration {
            name = Checks.text(name, "configuration name");
            if (params <= 0) {
                throw new IllegalArgumentException("configuration '" + name + "': params must be > 0, found " + params);
            }
            Checks.positive(ppl, "configuration '" + name + "': ppl");
            speedupOrt = Checks.optionalPositive(speedupOrt, "configuration '" + name + "': speedup_ort");
            speedupLlamacpp = Checks.optionalPositive(speedupLlamacpp, "configuration '" + name + "': speedup_llamacpp");
            tasks = Checks.list(tasks == null ? List.of() : tasks, "configuration '" + name + "': tasks");
        }

        /** The measured speedup in {@code runtime}; 1 for the dense row. */
        public Double speedup(Runtime runtime) {
            return runtime == Runtime.ORT ? speedupOrt : speedupLlamacpp;
        }
    }

    /** Where a speedup was measured. */
    public enum Runtime {
        ORT("ONNX Runtime"), LLAMACPP("llama.cpp");

        public final String label;

        Runtime(String label) {
            this.label = label;
        }
    }

    public SweepTable {
        if (!FORMAT.equals(format)) {
            throw new IllegalArgumentException("format must be \"" + FORMAT + "\", found " + (format == null ? "nothing"
                    : "\"" + format + "\""));
        }
        protocol = Checks.text(protocol, "protocol (how ppl was measured: the held-out file, window length)");
        speedProtocol = Checks.textOr(speedProtocol, "measured tokens/s over the dense model's");
        if (dense == null) {
            throw new IllegalArgumentException("dense is missing: give the unpruned model's row");
        }
        for (Runtime r : Runtime.values()) {
            if (dense.speedup(r) != null && dense.speedup(r) != 1.0) {
                throw new IllegalArgumentException("dense: " + r.label + " speedup must be 1 (or absent), found "
                        + dense.speedup(r));
            }
        }
        configurations = Checks.nonEmpty(configurations, "configurations", "give at least one pruned configuration");
        Set<String> names = new HashSet<>(List.of(dense.name()));
        List<String> tasks = dense.tasks().stream().map(TaskScore::task).toList();
        long llamacpp = configurations.stream().filter(c -> c.speedupLlamacpp() != null).count();
        for (Configuration c : configurations) {
            if (!names.add(c.name())) {
                throw new IllegalArgumentException("configuration name '" + c.name() + "' is used twice");
            }
            if (c.speedupOrt() == null) {
                throw new IllegalArgumentException("configuration '" + c.name() + "': speedup_ort is missing");
            }
            if (!c.tasks().stream().map(TaskScore::task).toList().equals(tasks)) {
                throw new IllegalArgumentException("configuration '" + c.name() + "' has tasks "
                        + c.tasks().stream().map(TaskScore::task).toList() + " but dense has " + tasks
                        + "; give every row the same tasks in the same order");
            }
        }
        if (llamacpp != 0 && llamacpp != configurations.size()) {
            throw new IllegalArgumentException("speedup_llamacpp is given for " + llamacpp + " of " + configurations.size()
                    + " configurations; give it for all or none");
        }
    }

    /** The task names, in order (empty when no tasks were evaluated). */
    public List<String> tasks() {
        return dense.tasks().stream().map(TaskScore::task).toList();
    }

    /** The runtimes every configuration has a speedup for: ONNX Runtime, and llama.cpp when measured. */
    public List<Runtime> runtimes() {
        return configurations.get(0).speedupLlamacpp() == null ? List.of(Runtime.ORT) : List.of(Runtime.ORT, Runtime.LLAMACPP);
    }

    /** Held-out perplexity against the speedup in {@code runtime}, dense at 1×, the front drawn. */
    public SpeedQualityChart.Data perplexityFront(Runtime runtime) {
        return chart("Perplexity vs " + runtime.label + " speedup", runtime, SpeedQualityChart.Metric.PERPLEXITY, -1);
    }

    /** Task {@code task}'s accuracy against the speedup in {@code runtime}, the front drawn. */
    public SpeedQualityChart.Data accuracyFront(String task, Runtime runtime) {
        int index = tasks().indexOf(task);
        if (index < 0) {
            throw new IllegalArgumentException("no task '" + task + "' in this sweep; it has " + tasks());
        }
        return chart(task + " accuracy vs " + runtime.label + " speedup", runtime, SpeedQualityChart.Metric.ACCURACY, index);
    }

    private SpeedQualityChart.Data chart(String title, Runtime runtime, SpeedQualityChart.Metric metric, int task) {
        List<SpeedQualityChart.Point> points = new ArrayList<>();
        for (Configuration c : rows()) {
            double speedup = c == dense ? 1.0 : c.speedup(runtime);
            double quality = task < 0 ? c.ppl() : c.tasks().get(task).acc();
            points.add(new SpeedQualityChart.Point(c.name(), speedup, quality));
        }
        return new SpeedQualityChart.Data(title, false, points, metric, true);
    }

    /** Dense first, then the configurations in file order. */
    public List<Configuration> rows() {
        List<Configuration> rows = new ArrayList<>(configurations.size() + 1);
        rows.add(dense);
        rows.addAll(configurations);
        return rows;
    }

    /** The front table: one row per configuration; "front" marks the rows on the perplexity / ONNX Runtime front. */
    public HtmlReport.Table table() {
        List<String> header = new ArrayList<>(List.of("configuration", "parameters", "perplexity", "speedup (ONNX Runtime)"));
        if (runtimes().contains(Runtime.LLAMACPP)) {
            header.add("speedup (llama.cpp)");
        }
        tasks().forEach(t -> header.add(t + " acc"));
        header.add("on the front");
        Set<String> front = new HashSet<>();
        SpeedQualityChart.front(perplexityFront(Runtime.ORT).models(), SpeedQualityChart.Metric.PERPLEXITY)
                .forEach(p -> front.add(p.model()));
        List<List<String>> cells = new ArrayList<>();
        for (Configuration c : rows()) {
            List<String> row = new ArrayList<>(List.of(c.name(), HtmlReport.parameters(c.params()),
                    String.format(Locale.ROOT, "%.2f", c.ppl())));
            for (Runtime r : runtimes()) {
                row.add(String.format(Locale.ROOT, "%.2f\u00d7", c == dense ? 1.0 : c.speedup(r)));
            }
            c.tasks().forEach(t -> row.add(String.format(Locale.ROOT, "%.3f", t.acc())));
            row.add(front.contains(c.name()) ? "yes" : "");
            cells.add(row);
        }
        return new HtmlReport.Table("Configurations (perplexity: " + protocol + "; speedup: " + speedProtocol + ")",
                header, cells);
    }
}
