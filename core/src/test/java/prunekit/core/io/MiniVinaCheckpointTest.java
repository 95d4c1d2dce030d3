package prunekit.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.SharedFiles;
import prunekit.core.model.DType;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.Model;
import prunekit.core.model.RopeScaling;

/** The shared BF16 mini-vina checkpoint: read, checked, written back byte-identical per tensor. */
class MiniVinaCheckpointTest {
    @TempDir
    Path dir;

    @Test
    void sharedReadsAndWritesBackByteIdentical() {
        Path src = SharedFiles.require("models/mini-vina");
        Model m = HfCheckpoint.read(src);
        LlamaConfig c = m.config();
        assertEquals(LlamaConfig.builder().vocabSize(4096).hidden(256).headDim(32)
                .uniformLayers(6, new LayerShape(8, 8, 688)).rmsNormEps(1e-5).ropeTheta(10000)
                .ropeScaling(RopeScaling.NONE).bosId(1).eosId(2).maxPositions(256).build(), c);
        assertEquals(DType.BF16, m.weights().storedDtype());
        assertEquals(6_843_648L, m.weights().countParameters());
        assertEquals(6_843_648L, c.parameterCount());
        assertNotNull(m.tokenizer());
        assertEquals(4096, m.tokenizer().vocabSize());

        Path out = dir.resolve("mini-vina-copy");
        HfCheckpoint.write(m, out, DType.BF16);
        try (SafetensorsFile a = SafetensorsFile.open(src.resolve("model.safetensors"));
             SafetensorsFile b = SafetensorsFile.open(out.resolve("model.safetensors"))) {
            assertEquals(a.names(), b.names());
            for (String n : a.names()) {
                assertEquals(a.rawBytes(n), b.rawBytes(n), n + " bytes");
            }
        }
        Model back = HfCheckpoint.read(out);
        assertEquals(c, back.config());
        assertEquals(4096, back.tokenizer().vocabSize());
        m.tokenizer().close();
        back.tokenizer().close();
    }
}
