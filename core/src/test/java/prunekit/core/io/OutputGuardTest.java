package prunekit.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.io.OutputGuard.Kind;

class OutputGuardTest {
    @TempDir Path dir;

    private static String refusal(Runnable r) {
        return assertThrows(RuntimeException.class, r::run).getMessage();
    }

    @Test
    void anEmptyPathIsRefused() {
        assertTrue(refusal(() -> OutputGuard.directory(Path.of(""), Kind.DIRECTORY, false, false, List.of()))
                .contains("empty"));
    }

    @Test
    void anOutputThatIsOrIsInsideAnInputIsRefused() throws IOException {
        Path model = Files.writeString(dir.resolve("model.gguf"), "weights");
        Path ckpt = Files.createDirectories(dir.resolve("ckpt"));
        Files.writeString(ckpt.resolve("model.safetensors"), "w");
        assertTrue(refusal(() -> OutputGuard.file(model, true, List.of(model))).contains("is the input"));
        assertTrue(refusal(() -> OutputGuard.file(ckpt.resolve("model.safetensors"), true, List.of(ckpt)))
                .contains("inside the input"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), ckpt);
        assertTrue(refusal(() -> OutputGuard.file(link.resolve("x.onnx"), false, List.of(ckpt))).contains("inside the input"));
        assertTrue(refusal(() -> OutputGuard.directory(dir, Kind.DIRECTORY, true, false, List.of(model)))
                .contains("--overwrite would replace"));
        assertEquals("weights", Files.readString(model));
    }

    @Test
    void anExistingOutputNeedsOverwrite() throws IOException {
        Path f = Files.writeString(dir.resolve("bench.json"), "{}");
        assertTrue(refusal(() -> OutputGuard.file(f, false, List.of())).contains("--overwrite"));
        OutputGuard.file(f, true, List.of()).close();
        Path run = Files.createDirectories(dir.resolve("run"));
        Files.writeString(run.resolve("plan.json"), "old");
        assertTrue(refusal(() -> OutputGuard.directory(run, Kind.DIRECTORY, false, false, List.of())).contains("--overwrite"));
        assertTrue(refusal(() -> OutputGuard.directory(f, Kind.DIRECTORY, false, false, List.of())).contains("is a file"));
        assertTrue(refusal(() -> OutputGuard.file(run, true, List.of())).contains("is a directory"));
    }

    @Test
    void aReadOnlyParentIsRefusedBeforeAnyWork() throws IOException {
        assumeFalse("root".equals(System.getProperty("user.name")), "root writes anywhere");
        Path ro = Files.createDirectories(dir.resolve("ro"));
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assertTrue(refusal(() -> OutputGuard.file(ro.resolve("x.onnx"), false, List.of())).contains("not writable"));
        } finally {
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void aDirectoryIsIncompleteUntilCommittedAndASecondWriterIsRefused() throws IOException {
        Path run = dir.resolve("run");
        try (OutputGuard g = OutputGuard.directory(run, Kind.DIRECTORY, false, false, List.of())) {
            assertTrue(Files.exists(run.resolve(OutputGuard.INCOMPLETE)));
            assertTrue(refusal(() -> OutputGuard.directory(run, Kind.DIRECTORY, true, false, List.of()))
                    .contains("another prunekit process"));
            Files.writeString(run.resolve("plan.json"), "new");
            g.commit();
        }
        assertEquals(List.of(run.resolve("plan.json")), list(run));
        assertEquals(List.of(run), list(dir), "the lock file is gone");
    }

    @Test
    void anIncompleteRunIsCleanedAndItsTemporariesRemoved() throws IOException {
        Path run = dir.resolve("run");
        OutputGuard.directory(run, Kind.DIRECTORY, false, false, List.of()).close(); // killed: never committed
        Files.writeString(run.resolve("plan.json"), "half a run");
        Files.createDirectories(run.resolve(".pruned.tmp-1a2b"));
        Files.writeString(dir.resolve(".x.onnx.tmp-99"), "stale");
        try (OutputGuard g = OutputGuard.directory(run, Kind.DIRECTORY, false, false, List.of())) {
            assertEquals(List.of(run.resolve(OutputGuard.INCOMPLETE)), list(run));
            g.commit();
        }
        OutputGuard.file(dir.resolve("x.onnx"), false, List.of()).close();
        assertEquals(List.of(run), list(dir), "the stale temporary of x.onnx is gone");
    }

    @Test
    void anUnfinishedResumableRunNeedsResumeOrOverwrite() throws IOException {
        Path run = dir.resolve("recover");
        OutputGuard.directory(run, Kind.RESUMABLE_DIRECTORY, false, false, List.of()).close();
        Files.writeString(run.resolve("trainer_state.json"), "{}");
        assertTrue(refusal(() -> OutputGuard.directory(run, Kind.RESUMABLE_DIRECTORY, false, false, List.of()))
                .contains("--resume"));
        try (OutputGuard g = OutputGuard.directory(run, Kind.RESUMABLE_DIRECTORY, false, true, List.of())) {
            assertTrue(Files.exists(run.resolve("trainer_state.json")), "--resume keeps the run");
            g.commit();
        }
    }

    @Test
    void overwriteKeepsTheOldDirectoryUntilTheNewOneIsComplete() throws IOException {
        Path run = dir.resolve("run");
        Files.createDirectories(run);
        Files.writeString(run.resolve("plan.json"), "old");
        try (OutputGuard g = OutputGuard.directory(run, Kind.DIRECTORY, true, false, List.of())) {
            Files.writeString(run.resolve("plan.json"), "half");
            throw new UncheckedIOException(new IOException("No space left on device"));
        } catch (UncheckedIOException expected) {
            // the failure put the old run back
        }
        assertEquals("old", Files.readString(run.resolve("plan.json")));
        assertEquals(List.of(run), list(dir));

        OutputGuard killed = OutputGuard.directory(run, Kind.DIRECTORY, true, false, List.of());
        Files.writeString(run.resolve("plan.json"), "half");
        killed.abandonForTest(); // kill -9 here: the lock file stays, its lock goes with the process
        assertTrue(refusal(() -> OutputGuard.directory(run, Kind.DIRECTORY, false, false, List.of())).contains("--overwrite"),
                "the old run, put back by the next claim, is complete");
        assertEquals("old", Files.readString(run.resolve("plan.json")));
        try (OutputGuard g = OutputGuard.directory(run, Kind.DIRECTORY, true, false, List.of())) {
            Files.writeString(run.resolve("plan.json"), "new");
            g.commit();
        }
        assertEquals("new", Files.readString(run.resolve("plan.json")));
        assertEquals(List.of(run), list(dir));
    }

    private static List<Path> list(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.sorted().toList();
        }
    }

    @Test
    void aFullDiskLeavesNoFileUnderTheFinalName() {
        Path target = dir.resolve("plan.json");
        assertThrows(UncheckedIOException.class, () -> AtomicFiles.writeStream(target, out -> {
            out.write(new byte[1000]);
            throw new IOException("No space left on device");
        }));
        assertFalse(Files.exists(target));
        assertTrue(dir.toFile().list().length == 0, "no temporary either");
    }
}
