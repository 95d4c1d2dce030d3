package prunekit.recover;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.io.SafetensorsWriter;
import prunekit.core.model.LlamaWeights;

/**
 * The teacher's top-k cache: entries read back exactly; a directory made for another teacher, k or
 * temperature, or an entry made from other windows, is refused; and a KD run that fills the cache
 * and one that reuses it end with the same weights.
 */
class TopKCacheTest {
    @Test
    void entriesRoundTripExactly(@TempDir Path dir) {
        Random r = new Random(3);
        int rows = 2;
        int seq = 3;
        int k = 4;
        int[] idx = r.ints(rows * seq * k, 0, 4096).toArray();
        float[] lp = new float[rows * seq * k];
        float[] rest = new float[rows * seq];
        for (int i = 0; i < lp.length; i++) {
            lp[i] = (float) -Math.abs(r.nextGaussian());
        }
        for (int i = 0; i < rest.length; i++) {
            rest[i] = r.nextFloat();
        }
        TopKCache cache = TopKCache.open(dir, 42, k, 2.0);
        cache.write(7, 1, new TopKCache.Entry(rows, seq, k, 99, idx, lp, rest));
        TopKCache.Entry back = TopKCache.open(dir, 42, k, 2.0).read(7, 1, 99).orElseThrow();
        assertArrayEquals(idx, back.indices());
        assertArrayEquals(lp, back.logProbs());
        assertArrayEquals(rest, back.restMass());
        assertEquals(rows, back.rows());
        assertTrue(cache.read(7, 0, 99).isEmpty(), "another micro-batch is not cached");
        assertThrows(IllegalArgumentException.class, () -> cache.read(7, 1, 100), "other windows");
        assertThrows(IllegalArgumentException.class, () -> TopKCache.open(dir, 43, k, 2.0), "another teacher");
        assertThrows(IllegalArgumentException.class, () -> TopKCache.open(dir, 42, 8, 2.0), "another k");
        assertThrows(IllegalArgumentException.class, () -> TopKCache.open(dir, 42, k, 1.0), "another temperature");
    }

    @Test
    void aRunReusingTheCacheTrainsLikeTheRunThatFilledIt(@TempDir Path tmp) throws IOException {
        Recipe recipe = RecoverRuns.recipe(4, Recipe.Mode.FULL, LossSpec.kd(2.0), 3);
        Path cache = tmp.resolve("cache");
        LlamaWeights a = RecoverRuns.recovery(recipe, tmp.resolve("a"), cache)
                .run(RecoverRuns.student(), RecoverRuns.teacher(), false).weights();
        long entries;
        try (var s = Files.list(cache)) {
            entries = s.filter(p -> p.toString().endsWith(".topk")).count();
        }
        assertEquals(4 * 2, entries, "one entry per step and micro-batch");
        LlamaWeights b = RecoverRuns.recovery(recipe, tmp.resolve("b"), cache)
                .run(RecoverRuns.student(), RecoverRuns.teacher(), false).weights();
        for (String name : a.tensors().keySet()) {
            assertArrayEquals(a.get(name).data(), b.get(name).data(), name);
        }
        Path fa = tmp.resolve("a/checkpoints/step-000004").resolve(SafetensorsWriter.SINGLE_FILE);
        Path fb = tmp.resolve("b/checkpoints/step-000004").resolve(SafetensorsWriter.SINGLE_FILE);
        assertArrayEquals(Files.readAllBytes(fa), Files.readAllBytes(fb));
    }
}
