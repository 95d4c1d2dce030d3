package prunekit.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import prunekit.core.TestModels;
import prunekit.core.model.LlamaConfig;

class RopeTableTest {
    private static final LlamaConfig CONFIG = TestModels.LONG_CONTEXT;

    /** HF forms the angle in fp32: at a late position that differs from the angle formed in double. */
    @Test
    void anglesAreFormedInFp32AsHfDoes() {
        RopeTable t = RopeTable.of(CONFIG);
        double[] inv = CONFIG.ropeScaling().inverseFrequencies(CONFIG.headDim(), CONFIG.ropeTheta());
        int p = 4093;
        int differ = 0;
        for (int j = 0; j < t.pairs(); j++) {
            float angle = (float) p * (float) inv[j];
            assertEquals((float) Math.cos(angle), t.cos(p, j), "pair " + j);
            assertEquals((float) Math.sin(angle), t.sin(p, j), "pair " + j);
            if ((float) Math.cos(p * inv[j]) != t.cos(p, j)) {
                differ++;
            }
        }
        assertNotEquals(0, differ, "at position " + p + " the double angle rounds differently for some pair");
        assertEquals(1f, t.cos(0, 0));
        assertEquals(0f, t.sin(0, 3));
    }

    @Test
    void fullRowsRepeatEachHalfRow() {
        RopeTable t = RopeTable.of(CONFIG);
        int half = t.pairs();
        float[] full = t.cosRows(true);
        float[] halves = t.cosRows(false);
        assertEquals(CONFIG.maxPositions() * CONFIG.headDim(), full.length);
        int p = 1234;
        float[] row = Arrays.copyOfRange(halves, p * half, (p + 1) * half);
        assertArrayEquals(row, Arrays.copyOfRange(full, 2 * p * half, 2 * p * half + half));
        assertArrayEquals(row, Arrays.copyOfRange(full, 2 * p * half + half, 2 * (p + 1) * half));
        assertThrows(IllegalArgumentException.class, () -> t.cos(CONFIG.maxPositions(), 0));
    }
}
