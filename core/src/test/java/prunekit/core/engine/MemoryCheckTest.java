package prunekit.core.engine;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import prunekit.core.PrunekitException;
import prunekit.core.model.LayerShape;
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

    /** stories260K's shape: 8 heads, dim 64, 5 layers, vocab 512. */
    private static final LlamaConfig STORIES = LlamaConfig.builder().vocabSize(512).hidden(64).headDim(8)
            .uniformLayers(5, new LayerShape(8, 4, 172)).maxPositions(2048).build();

    /**
     * Eval of stories260K at its 2048-token window with --batch 8 held 8 · 8 · 2048² · 4 B = 1 GiB per
     * score copy (and was OOM-killed at 17 GB): the split keeps a forward's rows within the budget.
     */
    @Test
    void longWindowsAreSplitSoThatAForwardStaysWithinTheBudget() {
        long row = MemoryCheck.forwardBytesPerRow(STORIES, 2048);
        assertTrue(row >= 2L * 8 * 2048 * 2048 * 4, "two score copies of one row: " + row);
        int rows = MemoryCheck.forwardRows(STORIES, 2048, 8, MemoryCheck.FORWARD_ACTIVATION_BYTES);
        assertTrue(rows >= 1 && rows < 8 && rows * row <= MemoryCheck.FORWARD_ACTIVATION_BYTES, rows + " rows of " + row);
        assertEquals(8, MemoryCheck.forwardRows(STORIES, 256, 8, MemoryCheck.FORWARD_ACTIVATION_BYTES),
                "short windows keep the batch asked for");
        assertEquals(1, MemoryCheck.forwardRows(STORIES, 2048, 8, row - 1), "one row even when it alone is over");
        assertThrows(IllegalArgumentException.class, () -> MemoryCheck.forwardRows(STORIES, 2048, 0, row));
    }
}
