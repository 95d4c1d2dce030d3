package prunekit.recover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LrScheduleTest {
    private final LrSchedule s = new LrSchedule(2e-3, 2e-4, 50, 1000);

    @Test
    void warmupRisesLinearlyToThePeak() {
        assertEquals(2e-3 / 50, s.lr(1), 1e-18);
        assertEquals(2e-3 * 25 / 50, s.lr(25), 1e-18);
        assertEquals(2e-3, s.lr(50), 1e-18);
    }

    @Test
    void cosineFallsToTheMinimumAtTheLastStep() {
        assertEquals(2e-4 + 1.8e-3 * 0.5 * (1 + Math.cos(Math.PI * 50 / 950.0)), s.lr(100), 1e-15);
        assertEquals((2e-3 + 2e-4) / 2, s.lr(525), 1e-15); // half way through the decay
        assertEquals(2e-4, s.lr(1000), 1e-18);
        assertEquals(2e-4, s.lr(5000), 1e-18);
        for (int n = 51; n <= 1000; n++) {
            assertTrue(s.lr(n) <= s.lr(n - 1), "non-increasing after warmup at step " + n);
        }
    }

    @Test
    void noWarmupStartsAtThePeakAndInvalidSchedulesAreRejected() {
        assertEquals(1.0, new LrSchedule(1.0, 0.1, 0, 10).lr(1), 0.03);
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule(1e-3, 1e-2, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule(1e-3, 0, 20, 10));
        assertThrows(IllegalArgumentException.class, () -> s.lr(0));
    }
}
