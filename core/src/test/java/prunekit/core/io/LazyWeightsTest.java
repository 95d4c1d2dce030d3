package prunekit.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import prunekit.core.SharedFiles;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.Model;

/**
 * The lazy sources give, tensor by tensor, exactly the floats of the readers as they were before
 * they read through those sources: the digests below were computed with the whole-file readers
 * (GGUF and llama2.c q/k permuted to rotate-half; mini-vina's bf16 converted), commit dd90919.
 */
class LazyWeightsTest {
    private static final String STORIES = "6a16023d2b47c6ffff598e14dbfcecf0cd703e118b53ade737431a20859b5350";
    private static final String MINI_VINA = "9e0d5e84a08ef2fc581c2815a68a3cf25a7423ecffa773b7684ec7ed50e932aa";

    static Stream<Arguments> models() {
        return Stream.of(Arguments.of("models/stories260K.gguf", null, STORIES),
                Arguments.of("models/stories260K.bin", "models/tok512.bin", STORIES),
                Arguments.of("models/mini-vina", null, MINI_VINA));
    }

    @ParameterizedTest(name = "shared {0}")
    @MethodSource("models")
    void sharedLazyReadsEqualTheWholeFileReaders(String model, String tokenizer, String digest) throws Exception {
        Path m = SharedFiles.require(model);
        Path t = tokenizer == null ? null : SharedFiles.require(tokenizer);
        Model loaded = ModelLoader.load(m, t);
        Map<String, FloatTensor> lazy = new LinkedHashMap<>();
        try (LazyModel lm = ModelLoader.open(m, t)) {
            assertEquals(loaded.config(), lm.config());
            assertEquals(loaded.weights().storedDtype(), lm.weights().storedDtype());
            assertEquals(loaded.weights().countParameters(), lm.weights().parameterCount());
            assertEquals(loaded.tokenizer().vocabSize(), lm.tokenizer().vocabSize());
            // out of order, one at a time: every read stands alone
            for (String name : lm.weights().shapes().keySet().stream().sorted().toList()) {
                FloatTensor x = lm.weights().read(name);
                assertArrayEquals(lm.weights().shapes().get(name), x.shape(), name);
                lazy.put(name, x);
            }
            assertThrows(IllegalArgumentException.class, () -> lm.weights().read("model.layers.99.mlp.up_proj.weight"));
        }
        Map<String, FloatTensor> ordered = new LinkedHashMap<>();
        loaded.weights().tensors().keySet().forEach(n -> ordered.put(n, lazy.get(n)));
        assertEquals(digest, digest(ordered), "lazy reads of " + model);
        assertEquals(digest, digest(loaded.weights().tensors()), "in-memory load of " + model);
    }

    /** sha256 over every tensor's name, shape and fp32 bits, in checkpoint order. */
    static String digest(Map<String, FloatTensor> tensors) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (Map.Entry<String, FloatTensor> e : tensors.entrySet()) {
            md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            for (int d : e.getValue().shape()) {
                md.update(ByteBuffer.allocate(4).putInt(d).array());
            }
            float[] f = e.getValue().data();
            ByteBuffer b = ByteBuffer.allocate(4 * f.length).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(f);
            md.update(b.array());
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
