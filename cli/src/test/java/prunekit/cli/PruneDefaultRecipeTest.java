package prunekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.SharedFiles;
import prunekit.core.engine.NativeKernels;

/** {@code prune} without --scorer runs the default recipe (layer-wise reconstruction) on the embedded stories260K. */
class PruneDefaultRecipeTest {
    @Test
    void pruneWithoutScorerReconstructs(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("stories.txt");
        Random r = new Random(2);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 160; i++) {
            sb.append(PruneCommandsTest.WORDS[r.nextInt(PruneCommandsTest.WORDS.length)]).append(i % 6 == 5 ? "\n\n" : " ");
        }
        Files.writeString(text, sb.toString());
        String model = SharedFiles.project("models/stories260K.gguf").toString();
        Path run = dir.resolve("run");
        Cli p = Cli.run("prune", model, "--calib", text.toString(), "--samples", "4", "--seq-len", "32",
                "--keep-ratio", "0.5", "--scope", "layers", "--search-budget", "1", "--out", run.toString(), "--json");
        assertEquals(0, p.exit(), p.err());
        assertTrue(p.out().contains("\"scorer\": \"recon\"") && p.out().contains("\"calibration_tokens\": 128"), p.out());
        assertTrue(p.out().contains("\"matmul\": \"fp32\""), "auto is fp32 below 7B-class widths: " + p.out());
        assertTrue(Files.isRegularFile(run.resolve("pruned/config.json")) && Files.isRegularFile(run.resolve("plan.json")));
        Cli none = Cli.run("prune", model, "--keep-ratio", "0.5", "--out", dir.resolve("none").toString());
        assertEquals(PrunekitCli.EXIT_BAD_INPUT, none.exit());
        assertTrue(none.err().contains("--calib"), none.err());
        Cli scored = Cli.run("prune", model, "--scorer", "magnitude", "--matmul", "bf16", "--keep-ratio", "0.5",
                "--out", dir.resolve("scored").toString());
        assertEquals(PrunekitCli.EXIT_BAD_INPUT, scored.exit());
        assertTrue(scored.err().contains("--matmul goes with the default recipe"), scored.err());
        assertTrue(!Files.exists(dir.resolve("scored")), "nothing written on a refused option");
    }

    /**
     * Where the bf16 products cannot run, {@code --matmul bf16} is refused in one line that says why and
     * what to use, before anything is written. A child JVM pointed at a native library that is not there
     * stands for such a machine (this process may already have loaded the real one).
     */
    @Test
    void bf16WithoutTheNativeLibraryIsRefusedInOneLine(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing/libprunekit_jni.so");
        Path run = dir.resolve("run");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dai.djl.offline=true",
                "-D" + NativeKernels.LIBRARY_PROPERTY + "=" + missing, PrunekitCli.class.getName());
        pb.command().addAll(List.of("prune", SharedFiles.project("models/stories260K.gguf").toString(),
                "--calib", SharedFiles.project("data/vi/legal-valid.txt").toString(), "--keep-ratio", "0.5",
                "--matmul", "bf16", "--out", run.toString()));
        pb.environment().remove("JAVA_TOOL_OPTIONS"); // the JVM would say "Picked up ..." on stderr
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile());
        Process child = pb.start();
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child did not finish");
        String err = Files.readString(dir.resolve("err.txt"));
        assertEquals(PrunekitCli.EXIT_BAD_INPUT, child.exitValue(), err);
        assertEquals(List.of("prunekit prune: error: --matmul bf16: the native kernels library " + missing.toAbsolutePath()
                + " is not built (bash cuda-kernels/ci.sh); use --matmul fp32 or auto"),
                err.strip().lines().filter(l -> !l.startsWith("OpenJDK ")).toList(), err); // not the VM's own warnings
        assertTrue(!Files.exists(run), "nothing written on a refused option");
    }
}
