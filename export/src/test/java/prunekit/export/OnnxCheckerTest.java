package prunekit.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.export.onnx.OnnxFile;
import prunekit.core.model.RandomWeights;

/**
 * The STANDARD flavour is valid ONNX by the reference checker: {@code onnx.checker.check_model}
 * with full shape/type inference, through the Python {@code onnx} package. Skipped, saying so,
 * where no Python with {@code onnx} is found (on Debian: {@code apt-get install python3-onnx}).
 */
class OnnxCheckerTest {
    private static final List<String> PYTHONS = List.of("python3", "/usr/bin/python3", "python");
    private static String python;

    @TempDir
    Path dir;

    @BeforeAll
    static void findPython() {
        for (String p : PYTHONS) {
            if (run(List.of(p, "-c", "import onnx")).exitCode == 0) {
                python = p;
                return;
            }
        }
        String msg = "SKIPPED: no Python with the onnx package among " + PYTHONS
                + " (install python3-onnx or pip install onnx to run onnx.checker on exported graphs)";
        System.err.println(msg);
        Assumptions.assumeTrue(false, msg);
    }

    private record Outcome(int exitCode, String output) {
    }

    private static Outcome run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Outcome(-1, "timed out: " + cmd);
            }
            return new Outcome(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Outcome(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(-1, e.toString());
        }
    }

    @Test
    void standardFlavourPassesOnnxChecker() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(python, "-c",
                "import sys, onnx\n"
                        + "for f in sys.argv[1:]:\n"
                        + "    onnx.checker.check_model(f, full_check=True)\n"
                        + "    print('ok', f)\n"));
        for (TestConfigs.Case c : TestConfigs.all()) {
            Path f = dir.resolve(c.name() + ".onnx");
            OnnxWriter.write(RandomWeights.of(c.config(), 1), f, OnnxWriter.Options.defaults());
            cmd.add(f.toString());
        }
        Path ext = dir.resolve("external-f16.onnx");
        OnnxWriter.write(RandomWeights.of(TestConfigs.PER_LAYER.config(), 1), ext, OnnxWriter.Options.defaults()
                .withExternalData(OnnxFile.ExternalData.ALWAYS).withWeightDtype(prunekit.core.model.DType.F16));
        cmd.add(ext.toString());
        Outcome o = run(cmd);
        assertEquals(0, o.exitCode, "onnx.checker rejected a graph:\n" + o.output);
    }
}
