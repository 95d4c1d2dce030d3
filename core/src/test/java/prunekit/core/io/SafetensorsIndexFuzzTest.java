package prunekit.core.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import java.util.Map;
import prunekit.core.FuzzInputs;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;

/**
 * Fuzz target: a sharded checkpoint's model.safetensors.index.json, opened
 * against one fixed shard (shard.safetensors: tensors a and b) and every tensor read.
 * Regression inputs (the seeds and every finding) are in
 * src/test/resources/prunekit/core/io/SafetensorsIndexFuzzTestInputs/index/; {@code JAZZER_FUZZ=1} fuzzes (bench/fuzz/run.sh).
 */
class SafetensorsIndexFuzzTest {
    static {
        SafetensorsWriter.write(FuzzInputs.dir("index").resolve("shard.safetensors"),
                Map.of("a", FloatTensor.zeros(2), "b", FloatTensor.zeros(1, 2)), DType.F32);
    }

    @FuzzTest(maxDuration = "10s")
    void index(byte[] data) {
        Path file = FuzzInputs.write("index/model.safetensors.index.json", data);
        FuzzInputs.loadsOrFailsCleanly(() -> {
            try (SafetensorsShards s = SafetensorsShards.open(file.getParent())) {
                s.names().forEach(s::read);
            }
        });
    }
}
