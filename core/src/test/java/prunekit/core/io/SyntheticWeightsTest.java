package prunekit.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.Model;
import prunekit.core.model.ReferenceShape;
import prunekit.core.model.TensorNames;
import prunekit.core.model.TensorNames.Proj;

class SyntheticWeightsTest {
    /** Published counts; mha-1.26b by hand: 2·32000·2048 + 22·(4·2048² + 3·2048·5632 + 2·2048) + 2048. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"llama-2-7b, 6738415616", "llama-2-13b, 13015864320", "llama-3-8b, 8030261248",
        "tinyllama-1.1b, 1100048384", "mha-1.26b, 1261529088"})
    void referenceShapesHaveThePublishedParameterCounts(String like, long params) {
        assertEquals(params, ReferenceShape.parse(like).config().parameterCount(), like);
    }

    @Test
    void llama2_7bShapeIsTheHfConfig() {
        LlamaConfig c = ReferenceShape.LLAMA_2_7B.config();
        assertEquals(4096, c.hidden());
        assertEquals(32, c.numLayers());
        assertEquals(32, c.layer(0).queryHeads());
        assertEquals(11008, c.layer(0).ffn());
        assertEquals(32000, c.vocabSize());
        assertEquals(128, c.headDim());
    }

    @Test
    void valuesAreNormalWithStd002AndNormsAreOne() {
        SyntheticWeights w = new SyntheticWeights(ReferenceShape.TINY.config(), DType.F32, 7);
        float[] x = w.read(TensorNames.EMBED).data(); // 512 x 64
        double sum = 0;
        double sq = 0;
        for (float f : x) {
            sum += f;
            sq += (double) f * f;
        }
        double mean = sum / x.length;
        double std = Math.sqrt(sq / x.length - mean * mean);
        assertEquals(0, mean, 4 * 0.02 / Math.sqrt(x.length), "mean");
        assertEquals(0.02, std, 0.02 * 0.02, "std within 2%");
        for (float f : w.read(TensorNames.inputNorm(1)).data()) {
            assertEquals(1f, f);
        }
    }

    @Test
    void aTensorDependsOnlyOnSeedAndName() {
        LlamaConfig two = ReferenceShape.TINY.withLayers(2);
        LlamaConfig five = ReferenceShape.TINY.withLayers(5);
        String name = TensorNames.weight(1, Proj.UP);
        FloatTensor a = new SyntheticWeights(two, DType.BF16, 3).read(name);
        assertEquals(a, new SyntheticWeights(five, DType.F32, 3).read(name), "other layers and dtype change nothing");
        assertFalse(a.equals(new SyntheticWeights(two, DType.BF16, 4).read(name)), "another seed");
        assertFalse(a.equals(new SyntheticWeights(two, DType.BF16, 3).read(TensorNames.weight(0, Proj.UP))), "another name");
    }

    @Test
    void writesACheckpointThatLoadsBackWithTheSameBytesForTheSameSeed(@TempDir Path tmp) throws IOException {
        LlamaConfig c = ReferenceShape.TINY.withLayers(2);
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        Path sharded = tmp.resolve("sharded");
        HfCheckpoint.WriteOptions o = HfCheckpoint.WriteOptions.defaults().withDtype(DType.BF16);
        HfCheckpoint.write(new SyntheticWeights(c, DType.BF16, 11), null, a, o);
        HfCheckpoint.write(new SyntheticWeights(c, DType.BF16, 11), null, b, o);
        HfCheckpoint.write(new SyntheticWeights(c, DType.BF16, 11), null, sharded, o.withMaxShardBytes(40_000));
        assertEquals(files(a), files(b));
        for (String f : files(a)) {
            assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f);
        }
        assertTrue(files(sharded).size() > 4, "shards: " + files(sharded));
        assertTrue(files(sharded).contains(SafetensorsWriter.INDEX_FILE));
        Model single = ModelLoader.load(a, null);
        Model shards = ModelLoader.load(sharded, null);
        assertEquals(c, single.config());
        assertEquals(c.parameterCount(), single.weights().countParameters());
        assertEquals(DType.BF16, single.weights().storedDtype());
        assertEquals(new TreeMap<>(single.weights().tensors()), new TreeMap<>(shards.weights().tensors()));
    }

    @Test
    void streamedWriteProducesEachTensorOnceInOrder(@TempDir Path tmp) {
        SyntheticWeights w = new SyntheticWeights(ReferenceShape.TINY.withLayers(2), DType.F16, 5);
        List<String> produced = new ArrayList<>();
        SafetensorsWriter.Tensors t = new SafetensorsWriter.Tensors(w.shapes(), n -> {
            produced.add(n);
            return w.read(n);
        });
        SafetensorsWriter.writeSharded(tmp, t, DType.F16, 100_000);
        assertEquals(new ArrayList<>(w.shapes().keySet()), produced);
    }

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
