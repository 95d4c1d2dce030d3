package prunekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import prunekit.core.SharedFiles;

/**
 * Bad input gets one clear line naming the file and the problem, exit code 2, no stack trace, and
 * no output written. Each case builds a broken copy of a real model in a temp dir.
 */
class BadInputTest {
    static final Path VINA = SharedFiles.project("models/mini-vina");
    static final Path STORIES = SharedFiles.project("models/stories260K.gguf");

    /** A broken model: what to break, and a phrase the error must contain. */
    interface Breaker {
        Path make(Path dir) throws IOException;
    }

    static Path copyVina(Path dir) throws IOException {
        Path d = Files.createDirectories(dir.resolve("model"));
        for (String f : new String[] {"config.json", "model.safetensors", "tokenizer.json"}) {
            Files.copy(VINA.resolve(f), d.resolve(f));
        }
        return d;
    }

    /** Replaces model.safetensors with a one-tensor file built from a header and a data length. */
    static Path safetensors(Path dir, String header, int dataBytes) throws IOException {
        Path d = copyVina(dir);
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Files.write(d.resolve("model.safetensors"), b.array());
        return d;
    }

    static Path editConfig(Path dir, String from, String to) throws IOException {
        Path d = copyVina(dir);
        Path c = d.resolve("config.json");
        String s = Files.readString(c);
        assertTrue(s.contains(from), "test setup: config.json lacks " + from);
        Files.writeString(c, s.replace(from, to));
        return d;
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("truncated safetensors", (Breaker) dir -> {
                    Path d = copyVina(dir);
                    Path f = d.resolve("model.safetensors");
                    byte[] all = Files.readAllBytes(f);
                    Files.write(f, java.util.Arrays.copyOf(all, all.length / 2));
                    return d;
                }, "model.safetensors"),
                Arguments.of("header longer than file", (Breaker) dir -> {
                    Path d = copyVina(dir);
                    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).putLong(0);
                    Files.write(d.resolve("model.safetensors"), b.array());
                    return d;
                }, "model.safetensors"),
                Arguments.of("offsets past the end", (Breaker) dir -> safetensors(dir,
                        "{\"model.norm.weight\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8), "model.norm.weight"),
                Arguments.of("overlapping tensors", (Breaker) dir -> safetensors(dir,
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                                + "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}", 24), "overlap"),
                Arguments.of("unknown dtype", (Breaker) dir -> safetensors(dir,
                        "{\"a\":{\"dtype\":\"Q4\",\"shape\":[4],\"data_offsets\":[0,16]}}", 16), "Q4"),
                Arguments.of("shape x dtype != byte span", (Breaker) dir -> safetensors(dir,
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[5],\"data_offsets\":[0,16]}}", 16), "a"),
                Arguments.of("config missing a required key", (Breaker) dir -> editConfig(dir,
                        "\"hidden_size\"", "\"hidden_size_renamed\""), "hidden_size"),
                Arguments.of("tokenizer vocab larger than the embedding", (Breaker) dir -> editConfig(dir,
                        "\"vocab_size\": 4096", "\"vocab_size\": 4000"), "config.json"),
                Arguments.of("GGUF with bad magic", (Breaker) dir -> {
                    Path f = dir.resolve("bad.gguf");
                    byte[] all = Files.readAllBytes(STORIES);
                    all[0] = 'X';
                    Files.write(f, all);
                    return f;
                }, "magic"),
                Arguments.of("GGUF with bad version", (Breaker) dir -> {
                    Path f = dir.resolve("bad.gguf");
                    byte[] all = Files.readAllBytes(STORIES);
                    all[4] = 9;
                    Files.write(f, all);
                    return f;
                }, "version"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void oneClearLineExitTwoNoOutput(String name, Breaker breaker, String phrase, @TempDir Path tmp) throws IOException {
        Path bad = breaker.make(tmp);
        Path out = tmp.resolve("out");
        for (String[] args : new String[][] {{"inspect", bad.toString()}, {"convert", bad.toString(), "--to", "hf", out.toString()}}) {
            Cli r = Cli.run(args);
            assertEquals(2, r.exit(), name + ": exit code; stderr: " + r.err());
            String err = r.err().strip();
            assertEquals(1, err.lines().count(), name + ": one line, got: " + err);
            assertTrue(err.contains(bad.getFileName().toString()) || err.contains(bad.toString()), name + ": names the file: " + err);
            assertTrue(err.contains(phrase), name + ": says '" + phrase + "': " + err);
            assertFalse(err.contains("\tat "), name + ": no stack trace");
        }
        assertFalse(Files.exists(out), name + ": no output written");
        try (Stream<Path> s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".tmp")), name + ": no temp leftovers");
        }
    }
}
