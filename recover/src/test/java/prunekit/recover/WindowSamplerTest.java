package prunekit.recover;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class WindowSamplerTest {
    private final int[] stream = IntStream.range(0, 1000).toArray(); // token i at position i

    @Test
    void windowsAreContiguousSlicesFixedBySeedAndStep() {
        WindowSampler a = new WindowSampler(stream, 16, 42);
        WindowSampler b = new WindowSampler(stream, 16, 42);
        int[][] w = a.windows(5, 8);
        assertEquals(8, w.length);
        for (int[] row : w) {
            assertEquals(17, row.length);
            for (int j = 1; j < row.length; j++) {
                assertEquals(row[0] + j, row[j], "a window is a contiguous slice of the stream");
            }
            assertFalse(row[16] >= stream.length);
        }
        assertArrayEquals(w, b.windows(5, 8), "same seed and step, same windows");
        assertFalse(Arrays.deepEquals(w, a.windows(6, 8)), "another step, other windows");
        assertFalse(Arrays.deepEquals(w, new WindowSampler(stream, 16, 43).windows(5, 8)), "another seed");
    }

    @Test
    void everyStartPositionCanBeDrawnIncludingTheLast() {
        int[] small = IntStream.range(0, 12).toArray();
        WindowSampler s = new WindowSampler(small, 8, 1);
        boolean[] seen = new boolean[4];
        for (int step = 1; step <= 200; step++) {
            for (int[] row : s.windows(step, 4)) {
                seen[row[0]] = true;
            }
        }
        for (boolean b : seen) {
            assertEquals(true, b);
        }
        assertThrows(IllegalArgumentException.class, () -> new WindowSampler(small, 12, 1));
    }
}
