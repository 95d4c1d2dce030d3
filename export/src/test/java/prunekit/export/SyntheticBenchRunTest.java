package prunekit.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import prunekit.core.model.DType;
import prunekit.core.model.LlamaConfig;

/**
 * The full benchmark on a 1B-shaped synthetic model, run on demand only:
 * {@code mvn -pl export test -Dtest=SyntheticBenchRunTest -Dprunekit.bench.out=DIR
 * [-Dprunekit.bench.threads=N]} exports STANDARD and OPTIMIZED (fp32, external data) and fp16
 * OPTIMIZED into DIR and writes DIR/bench.json. Skipped, saying so, without the property.
 */
class SyntheticBenchRunTest {
    @Test
    void oneBillionShaped() throws Exception {
        String out = System.getProperty("prunekit.bench.out");
        Assumptions.assumeTrue(out != null && !out.isBlank(),
                "SKIPPED: set -Dprunekit.bench.out=DIR to run the 1B-shaped ONNX Runtime benchmark");
        Path dir = Path.of(out);
        int threads = Integer.getInteger("prunekit.bench.threads", Runtime.getRuntime().availableProcessors());
        LlamaConfig c = SyntheticModels.oneBillionShaped();
        List<OrtBench.Entry> entries = new ArrayList<>();
        for (OnnxWriter.Options o : List.of(
                OnnxWriter.Options.defaults(),
                OnnxWriter.Options.defaults().withFlavour(OnnxFlavour.OPTIMIZED),
                OnnxWriter.Options.defaults().withFlavour(OnnxFlavour.OPTIMIZED).withWeightDtype(DType.F16))) {
            String name = "synthetic-1.1B-" + o.flavour() + "-" + o.weightDtype();
            Path f = dir.resolve(name).resolve("model.onnx");
            if (!Files.exists(f)) {
                SyntheticModels.export(c, 1, f, o);
            }
            entries.add(new OrtBench.Entry(name, f));
        }
        BenchReport r = OrtBench.run(entries, OrtBench.Config.defaults(threads));
        r.write(dir.resolve("bench.json"));
        System.err.println(r.toJson());
        assertEquals(3, r.models().size());
    }
}
