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

class OutputGuardTest {
    private static final List<String> PLAN = List.of("plan.json", "pruned");
    @TempDir Path dir;

    private static String refusal(Runnable r) {
        return assertThrows(RuntimeException.class, r::run).getMessage();
    }

    @Test
    void anEmptyPathIsRefused() {
        assertTrue(refusal(() -> OutputGuard.runEntries(Path.of(""), PLAN, false, List.of()))
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
        assertTrue(refusal(() -> OutputGuard.wholeDirectory(dir, true, List.of(model)))
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
        assertTrue(refusal(() -> OutputGuard.runEntries(run, PLAN, false, List.of())).contains("--overwrite"));
        assertTrue(refusal(() -> OutputGuard.runEntries(f, PLAN, false, List.of())).contains("is a file"));
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
        try (OutputGuard g = OutputGuard.runEntries(run, PLAN, false, List.of())) {
            assertTrue(Files.exists(run.resolve(OutputGuard.INCOMPLETE)));
            assertTrue(refusal(() -> OutputGuard.runEntries(run, PLAN, true, List.of()))
                    .contains("another prunekit process"));
            Files.writeString(run.resolve("plan.json"), "new");
            g.commit();
        }
        assertEquals(List.of(run.resolve("plan.json")), list(run));
        assertEquals(List.of(run), list(dir), "the lock file is gone");
    }

    @Test
    void aRunThatFailsBeforeWritingLeavesNothing() {
        Path run = dir.resolve("run");
        assertThrows(IllegalArgumentException.class, () -> {
            try (OutputGuard g = OutputGuard.runEntries(run, PLAN, false, List.of())) {
                throw new IllegalArgumentException("--calib is missing");
            }
        });
        assertFalse(Files.exists(run));
    }

    @Test
    void anIncompleteRunIsCleanedAndItsTemporariesRemoved() throws IOException {
        Path run = dir.resolve("run");
        OutputGuard.runEntries(run, PLAN, false, List.of()).abandonForTest(); // killed: never committed
        Files.writeString(run.resolve("plan.json"), "half a run");
        Files.writeString(run.resolve("scores.json"), "another stage's");
        Files.createDirectories(run.resolve(".pruned.tmp-1a2b"));
        Files.writeString(dir.resolve(".x.onnx.tmp-99"), "stale");
        try (OutputGuard g = OutputGuard.runEntries(run, PLAN, false, List.of())) {
            assertEquals(List.of(run.resolve(OutputGuard.INCOMPLETE), run.resolve("scores.json")), list(run),
                    "the unfinished plan and the temporary are gone; another stage's file stays");
            g.commit();
        }
        OutputGuard.file(dir.resolve("x.onnx"), false, List.of()).close();
        assertEquals(List.of(run), list(dir), "the stale temporary of x.onnx is gone");
    }

    @Test
    void onlyTheClaimedEntriesOfASharedRunDirectoryMustBeNew() throws IOException {
        Path run = Files.createDirectories(dir.resolve("run"));
        Path scores = Files.writeString(run.resolve("scores.json"), "from score");
        try (OutputGuard g = OutputGuard.runEntries(run, PLAN, false, List.of(scores))) {
            g.commit();
        }
        Files.writeString(run.resolve("plan.json"), "plan");
        assertTrue(refusal(() -> OutputGuard.runEntries(run, PLAN, false, List.of(scores))).contains("already holds plan.json"));
        assertTrue(refusal(() -> OutputGuard.runEntries(run, List.of("scores.json"), true, List.of(scores)))
                .contains("would be replaced"));
        assertEquals("plan", Files.readString(run.resolve("plan.json")), "refused before touching anything");
    }

    @Test
    void anUnfinishedResumableRunNeedsResumeOrOverwrite() throws IOException {
        Path run = dir.resolve("recover");
        OutputGuard.resumableDirectory(run, false, false, List.of()).abandonForTest();
        Files.writeString(run.resolve("trainer_state.json"), "{}");
        assertTrue(refusal(() -> OutputGuard.resumableDirectory(run, false, false, List.of()))
                .contains("--resume"));
        try (OutputGuard g = OutputGuard.resumableDirectory(run, false, true, List.of())) {
            assertTrue(Files.exists(run.resolve("trainer_state.json")), "--resume keeps the run");
            g.commit();
        }
    }

    @Test
    void overwriteKeepsTheOldOutputUntilTheNewOneIsComplete() throws IOException {
        Path run = dir.resolve("run");
        Files.createDirectories(run.resolve("pruned"));
        Files.writeString(run.resolve("plan.json"), "old");
        try (OutputGuard g = OutputGuard.runEntries(run, PLAN, true, List.of())) {
            Files.writeString(run.resolve("plan.json"), "half");
            throw new UncheckedIOException(new IOException("No space left on device"));
        } catch (UncheckedIOException expected) {
            // the failure put the old run back
        }
        assertEquals("old", Files.readString(run.resolve("plan.json")));
        assertEquals(List.of(run.resolve("plan.json"), run.resolve("pruned")), list(run));
        assertEquals(List.of(run), list(dir));

        OutputGuard killed = OutputGuard.runEntries(run, PLAN, true, List.of());
        Files.writeString(run.resolve("plan.json"), "half");
        killed.abandonForTest(); // kill -9 here: the lock file stays, its lock goes with the process
        assertTrue(refusal(() -> OutputGuard.runEntries(run, PLAN, false, List.of())).contains("--overwrite"),
                "the old run, put back by the next claim, is complete");
        assertEquals("old", Files.readString(run.resolve("plan.json")));
        try (OutputGuard g = OutputGuard.runEntries(run, PLAN, true, List.of())) {
            Files.writeString(run.resolve("plan.json"), "new");
            g.commit();
        }
        assertEquals("new", Files.readString(run.resolve("plan.json")));
        assertEquals(List.of(run.resolve("plan.json")), list(run), "the old pruned/ went with the commit");
        assertEquals(List.of(run), list(dir));
    }

    @Test
    void aWholeDirectoryIsReplacedOnlyOnceTheNewOneIsInstalled() throws IOException {
        Path hf = Files.createDirectories(dir.resolve("hf"));
        Files.writeString(hf.resolve("config.json"), "old");
        assertTrue(refusal(() -> OutputGuard.wholeDirectory(hf, false, List.of())).contains("--overwrite"));
        OutputGuard killed = OutputGuard.wholeDirectory(hf, true, List.of());
        assertFalse(Files.exists(hf), "moved aside for the writer");
        killed.abandonForTest();
        try (OutputGuard g = OutputGuard.wholeDirectory(hf, true, List.of())) {
            assertFalse(Files.exists(hf));
            AtomicFiles.writeDirectory(hf, tmp -> Files.writeString(tmp.resolve("config.json"), "new"));
            g.commit();
        }
        assertEquals("new", Files.readString(hf.resolve("config.json")));
        assertEquals(List.of(hf), list(dir));
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
