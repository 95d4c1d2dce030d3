package prunekit.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import prunekit.core.SharedFiles;
import prunekit.core.io.OutputGuard;

/**
 * {@code kill -9} at a seeded random moment of {@code prune}, {@code export}, {@code convert},
 * {@code recover} and {@code train} on the embedded stories260K, in a child JVM: afterwards no output
 * under its final name is partial (each is absent, marked {@value OutputGuard#INCOMPLETE}, or equal to
 * an uninterrupted run's), and the command run again (with {@code --resume} where it has one) leaves the
 * same bytes as the uninterrupted run, and no lock or temporary. The moment: a random share of the
 * uninterrupted run's time after the child has claimed its output (its lock file appears).
 */
class FaultInjectionTest {
    private static final String MODEL = SharedFiles.project("models/stories260K.gguf").toString();
    private static final String TEXT = SharedFiles.project("data/vi/legal-valid.txt").toString();

    /** A command, the output it writes (relative to the work directory), and whether it resumes. */
    enum Job {
        PRUNE("run", false, "prune", MODEL, "--scorer", "magnitude", "--calib", TEXT, "--samples", "4", "--seq-len", "32",
                "--keep-ratio", "0.6", "--out", "@/run"),
        EXPORT("model.onnx", false, "export", MODEL, "@/model.onnx"),
        CONVERT("hf", false, "convert", MODEL, "--to", "hf", "@/hf"),
        RECOVER("run", true, "recover", MODEL, "--teacher", MODEL, "--data", TEXT, "--steps", "4", "--batch", "2",
                "--seq", "16", "--mode", "lora", "--lora-rank", "2", "--loss", "kd", "--eval-every", "2", "--eval-windows",
                "2", "--checkpoint-every", "1", "--out", "@/run"),
        TRAIN("run", true, "train", "--from", MODEL, "--data", TEXT, "--steps", "4", "--batch", "2", "--seq", "16",
                "--warmup", "1", "--eval-every", "2", "--eval-windows", "2", "--valid", TEXT, "--checkpoint-every", "1",
                "--out", "@/run");

        final String output;
        final boolean resumable;
        final String[] args;

        Job(String output, boolean resumable, String... args) {
            this.output = output;
            this.resumable = resumable;
            this.args = args;
        }

        String[] in(Path work, String... extra) {
            List<String> a = new ArrayList<>();
            for (String s : args) {
                a.add(s.startsWith("@/") ? work.resolve(s.substring(2)).toString() : s);
            }
            a.addAll(List.of(extra));
            return a.toArray(String[]::new);
        }
    }

    /** The child: the CLI itself, as {@code bin/prunekit} runs it. */
    public static void main(String[] args) {
        PrunekitCli.main(args);
    }

    @ParameterizedTest
    @EnumSource(Job.class)
    void killedAnywhereThenRunAgainGivesTheUninterruptedBytes(Job job, @TempDir Path tmp) throws Exception {
        Path work = Files.createDirectories(tmp.resolve("work"));
        long t0 = System.nanoTime();
        Cli straight = Cli.run(job.in(work));
        assertEquals(0, straight.exit(), straight.err());
        long nanos = System.nanoTime() - t0;
        Path reference = tmp.resolve("reference");
        Files.move(work, reference);
        Files.createDirectories(work);

        long delay = (long) (new SplittableRandom(20261201L + job.ordinal()).nextDouble() * nanos);
        boolean killedMidRun = killAfter(job, work, delay, tmp.resolve("child.log"));
        Path out = work.resolve(job.output);
        boolean incomplete = Files.exists(out.resolve(OutputGuard.INCOMPLETE));
        System.err.printf("%s: killed %d ms after its claim (of a %d ms run here), %s; output %s%n", job, delay / 1_000_000,
                nanos / 1_000_000, killedMidRun ? "mid-run" : "after it ended", !Files.exists(out) ? "absent"
                        : incomplete ? "marked incomplete" : "complete");
        assertFinishedFilesMatch(reference.resolve(job.output), out, !incomplete && Files.exists(out));

        if (incomplete || !Files.exists(out)) {
            Cli again = Cli.run(job.resumable && Files.exists(out) ? job.in(work, "--resume") : job.in(work));
            assertEquals(0, again.exit(), "run again after a kill " + (killedMidRun ? "mid-run" : "after the end") + ": "
                    + again.err());
        }
        assertFinishedFilesMatch(reference.resolve(job.output), out, true);
        try (Stream<Path> s = Files.walk(work)) {
            List<Path> hidden = s.filter(p -> p.getFileName().toString().startsWith(".")).toList();
            assertEquals(List.of(), hidden, "no lock, temporary or backup is left");
        }
    }

    /** Starts the job in a child JVM and kills it {@code delay} ns after it claimed its output; true if it was still running. */
    private static boolean killAfter(Job job, Path work, long delay, Path log) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=" + System.getProperty("ai.djl.pytorch.num_threads", "1"),
                "-Dai.djl.pytorch.num_interop_threads=1", FaultInjectionTest.class.getName());
        pb.command().addAll(List.of(job.in(work)));
        pb.environment().put("OMP_NUM_THREADS", System.getenv().getOrDefault("OMP_NUM_THREADS", "1"));
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process child = pb.start();
        Path lock = work.resolve("." + job.output + ".lock");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(lock) && child.isAlive()) {
                assertTrue(System.nanoTime() < deadline, "the child never claimed its output: " + Files.readString(log));
                Thread.sleep(5);
            }
            TimeUnit.NANOSECONDS.sleep(delay);
            return child.isAlive();
        } finally {
            child.destroyForcibly(); // SIGKILL on Linux
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Every deterministic output file (weights, configs, plans, ONNX) present under {@code out} equals the
     * reference's; with {@code all}, the same set of them is present.
     */
    private static void assertFinishedFilesMatch(Path reference, Path out, boolean all) throws IOException {
        List<Path> got = deterministicFiles(out);
        if (all) {
            assertEquals(deterministicFiles(reference).stream().map(p -> reference.relativize(p).toString()).toList(),
                    got.stream().map(p -> out.relativize(p).toString()).toList(), "the outputs of " + out);
        }
        for (Path p : got) {
            assertArrayEquals(Files.readAllBytes(reference.resolve(out.relativize(p).toString())), Files.readAllBytes(p),
                    out.relativize(p) + " is partial or differs");
        }
    }

    private static List<Path> deterministicFiles(Path root) throws IOException {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> !("/" + root.relativize(p)).contains("/."))
                    .filter(p -> p.toString().matches(".*\\.(safetensors|onnx|data)$|.*/(plan|scores|config)\\.json$"))
                    .sorted().toList();
        }
    }
}
