package prunekit.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void writtenFilesHaveThePermissionsOfAnOrdinaryNewFile() throws IOException {
        Path plain = Files.createFile(dir.resolve("plain"));
        Path written = dir.resolve("sub/written.json");
        AtomicFiles.writeString(written, "{}\n");
        Set<PosixFilePermission> expected = Files.getPosixFilePermissions(plain);
        assertEquals(expected, Files.getPosixFilePermissions(written), "not createTempFile's owner-only 0600");
        assertEquals("{}\n", Files.readString(written));
    }

    @Test
    void replacesAnExistingFileAndLeavesNoTemporaries() throws IOException {
        Path f = dir.resolve("a.bin");
        AtomicFiles.writeBytes(f, new byte[] {1, 2, 3});
        AtomicFiles.writeStream(f, out -> out.write(new byte[] {4, 5}));
        assertEquals(List.of(f), list(dir));
        assertEquals(2, Files.size(f));
    }

    @Test
    void aFailedWriteKeepsTheOldFileAndDeletesItsTemporary() throws IOException {
        Path f = dir.resolve("a.txt");
        AtomicFiles.writeString(f, "old");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> AtomicFiles.write(f, tmp -> {
            Files.writeString(tmp, "half");
            throw new IOException("disk full");
        }));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("disk full"), e.getMessage());
        assertEquals("old", Files.readString(f));
        assertEquals(List.of(f), list(dir));
    }

    @Test
    void temporaryNamesAreUniqueHiddenSiblings() throws IOException {
        Path target = dir.resolve("model.onnx");
        Path a = AtomicFiles.createSibling(target, "tmp", false);
        Path b = AtomicFiles.createSibling(target, "tmp", false);
        assertFalse(a.equals(b));
        assertEquals(dir, a.getParent());
        assertTrue(a.getFileName().toString().startsWith(".model.onnx.tmp-"), a.toString());
    }

    @Test
    void aDirectoryIsInstalledWholeReplacingTheOldOne() throws IOException {
        Path out = dir.resolve("ckpt");
        AtomicFiles.writeDirectory(out, tmp -> AtomicFiles.writeString(tmp.resolve("old.txt"), "1"));
        AtomicFiles.writeDirectory(out, tmp -> AtomicFiles.writeString(tmp.resolve("new.txt"), "2"));
        assertEquals(List.of(out.resolve("new.txt")), list(out));
        assertEquals(List.of(out), list(dir));
        assertThrows(UncheckedIOException.class, () -> AtomicFiles.writeDirectory(out, tmp -> {
            throw new IOException("killed");
        }));
        assertEquals(List.of(out.resolve("new.txt")), list(out), "a failed write leaves the old directory");
        assertEquals(List.of(out), list(dir), "and no temporary");
    }

    private static List<Path> list(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.sorted().toList();
        }
    }
}
