package prunekit.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LayerInputsTest {
    /** Batches of different sizes at two layers come back bit for bit, from memory or from the spill files, which are then deleted. */
    @ParameterizedTest
    @ValueSource(longs = {0, Long.MAX_VALUE})
    void storedInputsComeBackExactlyAndSpillFilesAreDeleted(long inMemory, @TempDir Path dir) throws Exception {
        java.util.Random r = new java.util.Random(9);
        Shape[] shapes = {new Shape(2, 3, 4), new Shape(1, 3, 4)};
        float[][][] x = new float[2][2][];
        try (NDManager m = Engines.newManager(); LayerInputs in = new LayerInputs(2, 1000, inMemory, dir)) {
            assertEquals(inMemory == 0, in.spilled());
            for (int l = 0; l < 2; l++) {
                for (int b = 0; b < 2; b++) {
                    x[l][b] = new float[(int) shapes[b].size()];
                    for (int i = 0; i < x[l][b].length; i++) {
                        x[l][b][i] = (float) r.nextGaussian();
                    }
                    in.put(l, b, m.create(x[l][b], shapes[b]));
                }
            }
            for (int l = 1; l >= 0; l--) {
                for (int b = 1; b >= 0; b--) {
                    try (NDArray a = in.get(l, b, m)) {
                        assertEquals(shapes[b], a.getShape());
                        assertArrayEquals(x[l][b], a.toFloatArray(), "layer " + l + " batch " + b);
                    }
                }
                in.drop(l);
            }
            try (Stream<Path> s = Files.list(dir)) {
                assertEquals(inMemory == 0 ? 1 : 0, s.count(), "one spill folder, when spilled");
            }
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.findAny().isEmpty(), "nothing left after close");
        }
    }
}
