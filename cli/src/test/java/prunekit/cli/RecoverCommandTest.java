package prunekit.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.SharedFiles;
import prunekit.core.io.ModelLoader;
import prunekit.core.model.Model;

/**
 * {@code prunekit recover} and {@code recover-chart} end to end on the embedded stories260K (as its
 * own teacher) and the embedded Vietnamese text: LoRA + mix, recover.json, a recovered checkpoint
 * with the input's shapes, the chart, --resume, and the budget given in tokens.
 */
class RecoverCommandTest {
    private static Cli run(String... args) {
        return Cli.run(args);
    }

    private static String[] args(Path out, String budget, String... extra) {
        String model = SharedFiles.project("models/stories260K.gguf").toString();
        String text = SharedFiles.project("data/vi/legal-valid.txt").toString();
        String[] base = {"recover", model, "--teacher", model, "--data", text, "--valid", text, budget.split(" ")[0],
            budget.split(" ")[1], "--batch", "2", "--seq", "16", "--mode", "lora", "--lora-rank", "2", "--loss", "mix",
            "--eval-every", "2", "--eval-windows", "2", "--out", out.toString(), "--json"};
        String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    @Test
    void recoversWritesReportCheckpointAndChartAndResumes(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        Cli r = run(args(out, "--tokens 0.1K"));
        assertEquals(0, r.exit(), r.err());
        JsonObject res = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(4, res.get("steps").getAsInt(), "100 tokens at 2 x 16 per step: 4 steps");
        assertEquals(128, res.get("tokens").getAsLong());
        assertTrue(res.has("teacher_valid_perplexity") && res.has("best_step"), r.out());
        assertEquals(3, res.getAsJsonArray("valid_curve").size(), "before the first step, at step 2 and at step 4");
        Model in = ModelLoader.load(SharedFiles.project("models/stories260K.gguf"), null);
        Model rec = ModelLoader.load(out.resolve("recovered"), null);
        assertEquals(in.config(), rec.config(), "same shapes as the input");
        for (String name : in.weights().tensors().keySet()) {
            assertArrayEquals(in.weights().get(name).shape(), rec.weights().get(name).shape(), name);
        }
        assertTrue(Files.size(out.resolve("recovery.png")) > 1000 && Files.exists(out.resolve("recovery.svg")));

        Cli again = run(args(out, "--steps 4", "--resume"));
        assertEquals(0, again.exit(), again.err());
        Cli overwrite = run(args(out, "--steps 4"));
        assertEquals(PrunekitCli.EXIT_BAD_INPUT, overwrite.exit(), "refuses to start over an existing run");

        Cli chart = run("recover-chart", out.toString(), out.toString(), "--out", tmp.toString(), "--names", "a,b");
        assertEquals(0, chart.exit(), chart.err());
        assertTrue(Files.size(tmp.resolve("recovery.png")) > 1000);
    }

    @Test
    void distillationNeedsTheTeacher(@TempDir Path tmp) {
        String model = SharedFiles.project("models/stories260K.gguf").toString();
        Cli r = run("recover", model, "--data", SharedFiles.project("data/vi/legal-valid.txt").toString(), "--steps", "1",
                "--loss", "kd", "--out", tmp.toString());
        assertEquals(PrunekitCli.EXIT_BAD_INPUT, r.exit());
        assertTrue(r.err().contains("--teacher"), r.err());
    }

    /** --device cpu-native runs the same recovery through the C reference (JNI); --device cuda without a GPU is one line, exit 2. */
    @Test
    void recoversOnTheNativeStepAndRefusesAMissingGpu(@TempDir Path tmp) throws Exception {
        Path lib = prunekit.recover.NativeModel.libraryPath();
        if (!Files.isRegularFile(lib) && System.getenv("CI") != null) {
            throw new IllegalStateException(lib + " is missing under CI: .ci/run must build cuda-kernels first");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(lib), "no " + lib + " (bash cuda-kernels/ci.sh)");
        Path out = tmp.resolve("native");
        Cli r = run(full(args(out, "--steps 2", "--device", "cpu-native")));
        assertEquals(0, r.exit(), r.err());
        assertEquals(2, JsonParser.parseString(r.out()).getAsJsonObject().get("steps").getAsInt());
        assertTrue(Files.isDirectory(out.resolve("recovered")));
        org.junit.jupiter.api.Assumptions.assumeTrue(prunekit.recover.NativeModel.cudaUnavailable().isPresent(), "a GPU is here");
        Cli gpu = run(full(args(tmp.resolve("gpu"), "--steps 2", "--device", "cuda")));
        assertEquals(PrunekitCli.EXIT_BAD_INPUT, gpu.exit());
        assertTrue(gpu.err().strip().lines().count() == 1 && gpu.err().contains("--device cuda"), gpu.err());
    }

    /** --freeze keeps the named tensors bit-identical while the rest trains; under LoRA it is refused. */
    @Test
    void freezeKeepsTheNamedTensorsAsTheyAre(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("frozen");
        Cli r = run(full(args(out, "--steps 2", "--freeze", "model\\.embed_tokens\\..*", ".*norm.*")));
        assertEquals(0, r.exit(), r.err());
        Model in = ModelLoader.load(SharedFiles.project("models/stories260K.gguf"), null);
        Model rec = ModelLoader.load(out.resolve("recovered"), null);
        int frozen = 0;
        int changed = 0;
        for (String name : in.weights().tensors().keySet()) {
            boolean same = java.util.Arrays.equals(in.weights().get(name).data(), rec.weights().get(name).data());
            if (name.startsWith("model.embed_tokens.") || name.contains("norm")) {
                assertTrue(same, name + " is frozen");
                frozen++;
            } else if (!same) {
                changed++;
            }
        }
        assertTrue(frozen > 2 && changed > 0, frozen + " frozen, " + changed + " changed");
        Cli lora = run(args(tmp.resolve("lora"), "--steps 2", "--freeze", ".*norm.*"));
        assertEquals(PrunekitCli.EXIT_BAD_INPUT, lora.exit());
        assertTrue(lora.err().contains("--freeze"), lora.err());
    }

    /** {@code a} with --mode full instead of the base arguments' lora. */
    private static String[] full(String[] a) {
        a[java.util.Arrays.asList(a).indexOf("--mode") + 1] = "full";
        return a;
    }
}
