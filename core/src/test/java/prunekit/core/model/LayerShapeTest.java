package prunekit.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** A refused layer shape names the sizes it was given (not the zeros of fields a compact constructor has yet to set). */
class LayerShapeTest {
    @Test
    void refusalsNameTheGivenSizes() {
        assertEquals("query heads and KV heads must both be zero or both positive: 0 query heads, 4 KV heads",
                assertThrows(IllegalArgumentException.class, () -> new LayerShape(0, 4, 16)).getMessage());
        assertEquals("layer shape has a negative size: 8 query heads, 4 KV heads, FFN -1",
                assertThrows(IllegalArgumentException.class, () -> new LayerShape(8, 4, -1)).getMessage());
        assertEquals("query heads (6) must be a multiple of KV heads (4)",
                assertThrows(IllegalArgumentException.class, () -> new LayerShape(6, 4, 16)).getMessage());
        assertEquals(2, new LayerShape(8, 4, 16).groupSize());
    }
}
