package prunekit.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WindowBatchTest {
    private static final int[][] WINDOWS = {{9, 9, 9, 9}, {1, 2, 3, 4, 99}, {5, 6, 7, 8}};

    @Test
    void inputsAreTheWindowAndTargetsTheWindowShiftedByOne() {
        WindowBatch b = WindowBatch.of(WINDOWS, 1, 2, 3);
        assertArrayEquals(new long[] {1, 2, 3, 5, 6, 7}, b.inputs());
        assertArrayEquals(new long[] {2, 3, 4, 6, 7, 8}, b.targets());
        assertArrayEquals(new long[] {2, 3}, b.shape().getShape());
    }

    @Test
    void aWindowShorterThanSeqPlusOneIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WindowBatch.of(WINDOWS, 0, 3, 4));
        assertTrue(e.getMessage().contains("window 0 has 4 ids"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WindowBatch.of(WINDOWS, 2, 2, 3));
    }
}
