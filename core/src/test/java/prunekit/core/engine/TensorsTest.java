package prunekit.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import prunekit.core.model.FloatTensor;

/** Copies into native memory through the staging buffer keep every value and the shape. */
class TensorsTest {
    /** A tensor of several staging chunks (the last one partial) and a 1-D one, both exact; the staging buffer is reused. */
    @Test
    void toNativeCopiesEveryValueThroughTheStagingBuffer() {
        int chunk = Tensors.STAGING_BYTES / Float.BYTES;
        Random r = new Random(3);
        float[] big = new float[2 * chunk + 12_346];
        for (int i = 0; i < big.length; i++) {
            big[i] = (float) r.nextGaussian();
        }
        big[chunk] = Float.NaN; // the first value of the second chunk
        float[] small = {1.5f, -0f, Float.MIN_VALUE};
        ByteBuffer staging = Tensors.newStaging();
        try (NDManager m = Engines.newManager()) {
            NDArray a = Tensors.toNative(m, new FloatTensor(new int[] {3, big.length / 3}, big), staging);
            NDArray b = Tensors.toNative(m, new FloatTensor(new int[] {3}, small), staging);
            assertEquals(new Shape(3, big.length / 3), a.getShape());
            assertEquals(new Shape(3), b.getShape());
            assertArrayEquals(big, a.toFloatArray());
            assertArrayEquals(small, b.toFloatArray());
        }
    }
}
