package prunekit.core.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each kind of broken safetensors file gives a FormatException naming the file and the problem. */
class SafetensorsFileErrorsTest {
    @TempDir
    Path dir;

    /** Writes one broken file. */
    @FunctionalInterface
    interface BadFile {
        void write(Path file) throws IOException;
    }

    private static BadFile header(String json, int dataBytes) {
        return f -> IoTestData.rawSafetensors(f, json, dataBytes);
    }

    private static final String OK_TENSOR = "\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}";

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("empty file", (BadFile) f -> Files.write(f, new byte[0]),
                        "shorter than the 8-byte header length"),
                Arguments.of("three bytes", (BadFile) f -> Files.write(f, new byte[] {1, 2, 3}),
                        "shorter than the 8-byte header length"),
                Arguments.of("header length past the end", (BadFile) f -> Files.write(f, ByteBuffer.allocate(20)
                        .order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array()), "header length 1000 bytes is longer than the file"),
                Arguments.of("header length negative as signed", (BadFile) f -> Files.write(f, ByteBuffer.allocate(20)
                        .order(ByteOrder.LITTLE_ENDIAN).putLong(-1).array()), "is longer than the file"),
                Arguments.of("header not JSON", header("this is not json", 0), "header is not JSON"),
                Arguments.of("header truncated JSON", header("{\"a\":{\"dtype\":", 0), "header is not JSON"),
                Arguments.of("header a JSON array", header("[1,2,3]", 0), "header is not JSON"),
                Arguments.of("unsupported dtype", header("{\"a\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}", 16),
                        "tensor a has unsupported dtype 'I64'; prunekit reads F32, F16 and BF16 only: convert"),
                Arguments.of("unknown dtype", header("{\"a\":{\"dtype\":\"Q4_K\",\"shape\":[2],\"data_offsets\":[0,16]}}", 16),
                        "tensor a has unknown dtype 'Q4_K'"),
                Arguments.of("missing dtype", header("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8),
                        "tensor a: expected a dtype string"),
                Arguments.of("shape x dtype != span", header("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", 20),
                        "tensor a: shape [2, 3] in F32 needs 6 x 4 bytes but data_offsets [0, 20] span 20 bytes"),
                Arguments.of("bf16 span of f32 size", header("{\"a\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[0,16]}}", 16),
                        "needs 4 x 2 bytes but data_offsets [0, 16] span 16 bytes"),
                Arguments.of("negative dimension", header("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8),
                        "shape holds -2 where a non-negative integer is expected"),
                Arguments.of("offsets reversed", header("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", 8),
                        "end before they begin"),
                Arguments.of("offsets past the data region", header("{" + OK_TENSOR + "}", 20),
                        "tensor a: data_offsets [0, 24] end past the end of the data region (20 bytes"),
                Arguments.of("truncated data", header("{" + OK_TENSOR + ",\"b\":{\"dtype\":\"F16\",\"shape\":[4],"
                        + "\"data_offsets\":[24,32]}}", 30), "tensor b: data_offsets [24, 32] end past the end"),
                Arguments.of("overlapping tensors", header("{" + OK_TENSOR + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],"
                        + "\"data_offsets\":[16,24]}}", 24), "tensors a [0, 24) and b [16, 24) overlap"),
                Arguments.of("metadata not an object", header("{\"__metadata__\":[1]," + OK_TENSOR + "}", 24),
                        "__metadata__ should be an object of strings"),
                Arguments.of("entry not an object", header("{\"a\":5}", 0),
                        "tensor a: expected an object with dtype, shape and data_offsets"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectsWithAMessageNamingFileAndProblem(String name, BadFile bad, String phrase) throws IOException {
        Path file = dir.resolve("bad-" + name.replace(' ', '_') + ".safetensors");
        bad.write(file);
        FormatException e = assertThrows(FormatException.class, () -> SafetensorsFile.open(file).close());
        assertTrue(e.getMessage().contains(file.getFileName().toString()), "names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(phrase), "says '" + phrase + "': " + e.getMessage());
        assertTrue(e.file().equals(file));
    }
}
