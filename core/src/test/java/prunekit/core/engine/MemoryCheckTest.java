package prunekit.core.engine;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import prunekit.core.PrunekitException;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.ReferenceShape;

class MemoryCheckTest {
    /** LLaMA-2-7B in fp32 with its native copy: 6,738,415,616 · 8 bytes, refused on 24 GB with the estimate and the way out. */
    @Test
    void refusesAWholeModelThatDoesNotFitSayingWhatItNeedsAndWhatToDo() {
        LlamaConfig c = ReferenceShape.LLAMA_2_7B.config();
        long need = MemoryCheck.wholeModel(c, MemoryCheck.INFERENCE_BYTES_PER_PARAM);
        PrunekitException e = assertThrows(PrunekitException.class,
                () -> MemoryCheck.require("generate", need, 24_000_000_000L, "export it to ONNX"));
        assertTrue(e.getMessage().contains("53.9 GB") && e.getMessage().contains("24.0 GB")
                && e.getMessage().endsWith("export it to ONNX"), e.getMessage());
        assertDoesNotThrow(() -> MemoryCheck.require("generate", need, need, "-"));
    }

    /** A size product that overflows a long is "more than" any heap, never a negative number that passes. */
    @Test
    void heapBoundsSaturateOnOverflowAndNameTheRequest() {
        assertTrue(MemoryCheck.bytes(1L << 40, 1L << 40) == Long.MAX_VALUE);
        assertTrue(MemoryCheck.bytes(1_000_000_000, 129, 4) == 516_000_000_000L);
        PrunekitException e = assertThrows(PrunekitException.class,
                () -> MemoryCheck.requireHeap("--samples 1000000000 windows", MemoryCheck.bytes(1L << 40, 1L << 40), "lower --samples"));
        assertTrue(e.getMessage().startsWith("--samples 1000000000 windows needs more than 9.2e18 bytes but the Java heap")
                && e.getMessage().endsWith("; lower --samples"), e.getMessage());
        assertDoesNotThrow(() -> MemoryCheck.requireHeap("x", 1024, "-"));
    }
}
