package prunekit.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The intra-op thread count: the default follows OMP_NUM_THREADS or the available cores; a choice reaches PyTorch. */
class EnginesThreadsTest {
    @AfterEach
    void restore() {
        Engines.useThreads(Engines.defaultThreads());
    }

    @Test
    void defaultIsOmpNumThreadsWhenSetElseTheAvailableCores() {
        String omp = System.getenv("OMP_NUM_THREADS"); // surefire sets 1
        int expected = omp != null ? Integer.parseInt(omp.trim()) : Runtime.getRuntime().availableProcessors();
        assertEquals(expected, Engines.defaultThreads());
    }

    @Test
    void chosenThreadsReachPyTorchBeforeAndAfterTheEngineStarts() {
        Engines.useThreads(2);
        Engines.pytorch();
        assertEquals(2, JniUtils.getNumThreads());
        Engines.useThreads(1);
        assertEquals(1, JniUtils.getNumThreads());
        assertEquals(1, Engines.intraOpThreads());
    }

    @Test
    void zeroThreadsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Engines.useThreads(0));
    }
}
