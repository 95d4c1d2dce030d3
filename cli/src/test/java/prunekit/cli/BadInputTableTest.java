package prunekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import prunekit.core.SharedFiles;

/**
 * The bad-input classes of the README table, run through the CLI in-process: every case must end in a
 * clean error (exit 2, stderr ending in one "prunekit CMD: error: ..." line that says the phrase, no stack
 * trace, no URL, no "internal error") with nothing new written, within the time limit. Each outcome is counted per class and the
 * table is written to {@code target/bad-input-table.md} (clean error / crash / hang / partial output /
 * accepted, i.e. exit 0 on bad input).
 */
class BadInputTableTest {
    static final Path VINA = SharedFiles.project("models/mini-vina");
    static final Path STORIES = SharedFiles.project("models/stories260K.gguf");
    static final Path TEXT = SharedFiles.project("data/vi/legal-valid.txt");
    static final long TIME_LIMIT_S = 60;

    enum Outcome { CLEAN_ERROR, CRASH, HANG, PARTIAL_OUTPUT, ACCEPTED }

    /** Builds the broken inputs under a temp dir and returns the command line. */
    interface Setup {
        String[] make(Path dir) throws Exception;
    }

    private static final Map<String, EnumMap<Outcome, Integer>> TABLE = new TreeMap<>();

    static Arguments bad(String klass, String name, String phrase, Setup setup) {
        return Arguments.of(klass, name, phrase, setup);
    }

    static String[] args(Object... a) {
        return Stream.of(a).map(String::valueOf).toArray(String[]::new);
    }

    static Stream<Arguments> cases() {
        List<Arguments> l = new ArrayList<>();
        for (String cmd : new String[] {"inspect", "convert"}) {
            l.add(bad("safetensors", cmd + ": truncated file", "model.safetensors", d -> on(cmd, BadFiles.truncated(d))));
            l.add(bad("safetensors", cmd + ": header longer than the file", "model.safetensors",
                    d -> on(cmd, BadFiles.hugeHeader(d))));
            l.add(bad("safetensors", cmd + ": offsets past the end", "model.norm.weight", d -> on(cmd, BadFiles.safetensors(d,
                    "{\"model.norm.weight\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8))));
            l.add(bad("safetensors", cmd + ": overlapping tensors", "overlap", d -> on(cmd, BadFiles.safetensors(d,
                    "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                            + "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}", 24))));
            l.add(bad("safetensors", cmd + ": unknown dtype", "Q4", d -> on(cmd, BadFiles.safetensors(d,
                    "{\"a\":{\"dtype\":\"Q4\",\"shape\":[4],\"data_offsets\":[0,16]}}", 16))));
            l.add(bad("safetensors", cmd + ": shape x dtype != byte span", "a", d -> on(cmd, BadFiles.safetensors(d,
                    "{\"a\":{\"dtype\":\"F32\",\"shape\":[5],\"data_offsets\":[0,16]}}", 16))));
            l.add(bad("safetensors", cmd + ": a tensor name given twice", "twice", d -> on(cmd, BadFiles.safetensors(d,
                    "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                            + "\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[16,32]}}", 32))));
            l.add(bad("config.json", cmd + ": a required key missing", "hidden_size",
                    d -> on(cmd, BadFiles.editConfig(d, "\"hidden_size\"", "\"hidden_size_renamed\""))));
            l.add(bad("config.json", cmd + ": tokenizer larger than the embedding", "config.json",
                    d -> on(cmd, BadFiles.editConfig(d, "\"vocab_size\": 4096", "\"vocab_size\": 4000"))));
            l.add(bad("config.json", cmd + ": num_hidden_layers 1e9", "num_hidden_layers",
                    d -> on(cmd, BadFiles.editConfig(d, "\"num_hidden_layers\": 6", "\"num_hidden_layers\": 1e9"))));
            l.add(bad("config.json", cmd + ": hidden_size 2^31-1", "exceeds",
                    d -> on(cmd, BadFiles.editConfig(d, "\"hidden_size\": 256", "\"hidden_size\": 2147483647"))));
            l.add(bad("config.json", cmd + ": not JSON", "config.json",
                    d -> on(cmd, BadFiles.editConfig(d, "\"architectures\": [", "\"architectures\": [["))));
            l.add(bad("GGUF", cmd + ": bad magic", "magic", d -> on(cmd, BadFiles.storiesByte(d, 0, 'X'))));
            l.add(bad("GGUF", cmd + ": bad version", "version", d -> on(cmd, BadFiles.storiesByte(d, 4, 9))));
            l.add(bad("GGUF", cmd + ": overlapping tensor offsets", "overlap", d -> on(cmd, BadFiles.overlappingGguf(d))));
            l.add(bad("GGUF", cmd + ": truncated", "truncated", d -> on(cmd, BadFiles.truncatedGguf(d))));
        }
        String model = VINA.toString();
        l.add(bad("weights", "eval: 12 NaN in a tensor", "model.layers.3.mlp.down_proj.weight: 12 NaN",
                d -> args("eval", BadFiles.nonFinite(d, "model.layers.3.mlp.down_proj.weight", 12, false), "--text", BadFiles.shortText(d))));
        l.add(bad("weights", "generate: 3 +Inf in a tensor", "3 +Inf", d -> args("generate",
                BadFiles.nonFinite(d, "model.embed_tokens.weight", 3, true), "--prompt", "xin chào")));
        l.add(bad("weights", "eval --allow-non-finite: NaN loss is no result", "no perplexity", d -> args("eval",
                BadFiles.nonFinite(d, "model.norm.weight", 4, false), "--text", BadFiles.shortText(d), "--allow-non-finite")));
        l.add(bad("tokenizer.json", "not JSON", "tokenizer.json", d -> args("eval", BadFiles.brokenTokenizer(d), "--text", BadFiles.shortText(d))));
        l.add(bad("tokenizer.json", "no <unk> and no byte fallback", "cannot encode",
                d -> args("eval", BadFiles.noUnkTokenizer(d), "--text", BadFiles.text(d, "ξψ☃ unknown"))));
        l.add(bad("options", "eval --ctx 0", "--ctx", d -> args("eval", model, "--text", BadFiles.shortText(d), "--ctx", 0)));
        l.add(bad("options", "eval --ctx -1", "--ctx", d -> args("eval", model, "--text", BadFiles.shortText(d), "--ctx", -1)));
        l.add(bad("options", "eval --ctx past max_position_embeddings", "max_position_embeddings",
                d -> args("eval", model, "--text", BadFiles.shortText(d), "--ctx", 100000)));
        l.add(bad("options", "eval --batch 0", "--batch", d -> args("eval", model, "--text", BadFiles.shortText(d), "--batch", 0)));
        l.add(bad("options", "eval --batch -2", "--batch", d -> args("eval", model, "--text", BadFiles.shortText(d), "--batch", -2)));
        l.add(bad("options", "prune --samples 1000000000", "--samples", d -> args("prune", STORIES, "--calib", BadFiles.shortText(d),
                "--samples", 1_000_000_000, "--scorer", "magnitude", "--keep-ratio", 0.5, "--out", d.resolve("out"))));
        l.add(bad("options", "recover --lora-rank 100000 on hidden 64", "exceeds min(in, out) = ", d -> args("recover",
                STORIES, "--data", BadFiles.shortText(d), "--steps", 1, "--loss", "ce", "--lora-rank", 100000, "--out", d.resolve("out"))));
        l.add(bad("options", "generate --max-new-tokens -5", "--max-new-tokens",
                d -> args("generate", STORIES, "--prompt", "once", "--max-new-tokens", -5)));
        l.add(bad("options", "train --init a 7B config", "needs about", d -> args("train", "--init",
                BadFiles.config7b(d, 4096, 32), "--tokenizer", VINA.resolve("tokenizer.json"), "--data", BadFiles.shortText(d), "--steps", 1,
                "--warmup", 0, "--out", d.resolve("out"))));
        l.add(bad("options", "train --init a hidden_size of 2^30", "exceeds", d -> args("train", "--init",
                BadFiles.config7b(d, 1 << 30, 1), "--tokenizer", VINA.resolve("tokenizer.json"), "--data", BadFiles.shortText(d),
                "--steps", 1, "--warmup", 0, "--out", d.resolve("out"))));
        l.add(bad("run files", "plot of a plan.json without layers", "plan.json", d -> args("plot",
                BadFiles.json(d, "plan.json", "{\"format\": \"prunekit-plan\", \"version\": 1}"), "--out", d.resolve("out"))));
        l.add(bad("run files", "plot of a plan.json without its original shapes", "original", d -> args("plot",
                BadFiles.planWithoutOriginal(d), "--out", d.resolve("out"))));
        l.add(bad("run files", "plot of a plan.json that is not JSON", "plan.json", d -> args("plot",
                BadFiles.json(d, "plan.json", "{\"format\": \"prunekit-plan\", "), "--out", d.resolve("out"))));
        l.add(bad("run files", "plot of scores.json with a string version", "scores.json", d -> args("plot",
                BadFiles.json(d, "scores.json", "{\"format\": \"prunekit-scores\", \"version\": \"x\"}"), "--out", d.resolve("out"))));
        l.add(bad("ONNX", "generate --onnx of a garbage file", "not an ONNX model", d -> args("generate", STORIES,
                "--prompt", "once", "--onnx", BadFiles.json(d, "garbage.onnx", "this is not protobuf at all"))));
        l.add(bad("ONNX", "generate --onnx of another model's export", "another model", BadFiles::otherModelsExport));
        l.add(bad("text", "eval of text that is not UTF-8", "UTF-8", d -> args("eval", STORIES, "--text", BadFiles.latin1(d))));
        l.add(bad("text", "eval of a missing text file", "no such file", d -> args("eval", STORIES, "--text",
                d.resolve("missing.txt"))));
        // Last, on purpose: its setup trains in this JVM after every other in-process command, which once failed
        // in the optimizer step (autograd's mode is per thread and was on; AdamW now steps under Engines.withoutGrad).
        l.add(bad("run files", "train --resume with a corrupt trainer_state.json", "trainer_state.json", BadFiles::corruptResume));
        return l.stream();
    }

    private static String[] on(String cmd, Path bad) {
        return cmd.equals("inspect") ? args("inspect", bad) : args("convert", bad, "--to", "hf", bad.resolveSibling("out"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void endsInOneCleanLine(String klass, String name, String phrase, Setup setup, @TempDir Path tmp) throws Exception {
        String[] a = setup.make(tmp);
        Set<Path> before = files(tmp);
        ExecutorService ex = Executors.newSingleThreadExecutor();
        Cli r = null;
        Outcome o;
        try {
            Future<Cli> f = ex.submit(() -> Cli.run(a));
            r = f.get(TIME_LIMIT_S, TimeUnit.SECONDS);
            o = classify(r, phrase, before, files(tmp));
        } catch (TimeoutException e) {
            o = Outcome.HANG;
        } catch (java.util.concurrent.ExecutionException e) {
            o = Outcome.CRASH;
        } finally {
            ex.shutdownNow();
        }
        TABLE.computeIfAbsent(klass, k -> new EnumMap<>(Outcome.class)).merge(o, 1, Integer::sum);
        assertEquals(Outcome.CLEAN_ERROR, o, name + ": " + String.join(" ", a) + "\nexit " + (r == null ? "-" : r.exit())
                + "\nstderr: " + (r == null ? "-" : r.err()) + "\nnew files: " + diff(before, tmp));
    }

    static Outcome classify(Cli r, String phrase, Set<Path> before, Set<Path> after) {
        if (r.exit() == 0) {
            return Outcome.ACCEPTED;
        }
        String err = r.err().strip();
        String last = err.lines().reduce((a, b) -> b).orElse("");
        long errorLines = err.lines().filter(x -> x.startsWith("prunekit ") || x.contains("Exception") || x.contains("\tat ")).count();
        boolean clean = r.exit() == PrunekitCli.EXIT_BAD_INPUT && errorLines == 1 && last.startsWith("prunekit ")
                && last.contains(": error: ") && last.contains(phrase) && !last.contains("http");
        if (!clean) {
            return Outcome.CRASH;
        }
        return after.equals(before) ? Outcome.CLEAN_ERROR : Outcome.PARTIAL_OUTPUT;
    }

    static Set<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.collect(Collectors.toSet());
        }
    }

    private static Set<Path> diff(Set<Path> before, Path dir) throws IOException {
        Set<Path> now = files(dir);
        now.removeAll(before);
        return now;
    }

    @AfterAll
    static void writeTable() throws IOException {
        StringBuilder md = new StringBuilder("| class | cases | clean error | crash | hang | partial output | accepted |\n"
                + "|---|---:|---:|---:|---:|---:|---:|\n");
        EnumMap<Outcome, Integer> total = new EnumMap<>(Outcome.class);
        for (Map.Entry<String, EnumMap<Outcome, Integer>> e : TABLE.entrySet()) {
            md.append(row(e.getKey(), e.getValue()));
            e.getValue().forEach((k, v) -> total.merge(k, v, Integer::sum));
        }
        md.append(row("**all**", total));
        Path out = Path.of("target", "bad-input-table.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md.toString());
    }

    private static String row(String klass, EnumMap<Outcome, Integer> m) {
        int n = m.values().stream().mapToInt(Integer::intValue).sum();
        StringBuilder s = new StringBuilder("| " + klass + " | " + n);
        for (Outcome o : Outcome.values()) {
            int c = m.getOrDefault(o, 0);
            s.append(" | ").append(o == Outcome.CLEAN_ERROR ? String.format("%d (%.0f%%)", c, 100.0 * c / n) : c);
        }
        return s.append(" |\n").toString();
    }

    /**
     * A sanity check of the classifier itself: a success is "accepted", a stack trace or a report of a bug a crash;
     * progress lines before the one error line are allowed.
     */
    @org.junit.jupiter.api.Test
    void classifierTellsTheOutcomesApart() {
        Set<Path> none = Set.of();
        assertEquals(Outcome.ACCEPTED, classify(new Cli(0, "ok", ""), "x", none, none));
        assertEquals(Outcome.CRASH, classify(new Cli(1, "", "prunekit eval: internal error: x"), "x", none, none));
        assertEquals(Outcome.CRASH, classify(new Cli(2, "", "x\n\tat y"), "x", none, none));
        assertEquals(Outcome.PARTIAL_OUTPUT, classify(new Cli(2, "", "prunekit eval: error: bad x"), "x", none,
                Set.of(Path.of("p"))));
        assertEquals(Outcome.CRASH, classify(new Cli(2, "", "prunekit eval: error: x\n\tat y"), "x", none, none));
        assertEquals(Outcome.CRASH, classify(new Cli(2, "", "prunekit eval: error: x (see https://a.b)"), "x", none, none));
        assertEquals(Outcome.CLEAN_ERROR, classify(new Cli(2, "", "step 1\nprunekit eval: error: bad x\n"), "x", none, none));
    }
}
