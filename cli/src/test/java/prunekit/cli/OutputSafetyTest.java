package prunekit.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.SharedFiles;
import prunekit.core.io.OutputGuard;

/**
 * What a careless user tried (issue 15) on copies of the embedded model: each is refused with one
 * line before any work, and the inputs and earlier outputs are left byte for byte.
 */
class OutputSafetyTest {
    private static final Path MODEL = SharedFiles.project("models/stories260K.gguf");
    private static final String TEXT = SharedFiles.project("data/vi/legal-valid.txt").toString();

    private static void assertRefused(Cli r, String why) {
        assertEquals(PrunekitCli.EXIT_BAD_INPUT, r.exit(), r.err() + r.out());
        assertTrue(r.err().contains(why), r.err());
    }

    private static String[] prune(Path out, String ratio, String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of("prune", MODEL.toString(), "--scorer", "magnitude", "--calib", TEXT,
                "--samples", "4", "--seq-len", "32", "--keep-ratio", ratio, "--out", out.toString()));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    @Test
    void anOutputThatIsOrIsInsideTheInputIsRefused(@TempDir Path tmp) throws Exception {
        Path model = Files.copy(MODEL, tmp.resolve("model.gguf"));
        byte[] before = Files.readAllBytes(model);
        assertRefused(Cli.run("export", model.toString(), model.toString(), "--format", "onnx"), "is the input");
        assertRefused(Cli.run("export", model.toString(), model.toString(), "--format", "onnx", "--overwrite"), "is the input");
        assertRefused(Cli.run("bench", model.toString(), "--out", model.toString(), "--overwrite"), "is the input");
        assertRefused(Cli.run("bench", "--synthetic", "1b", "--out", model.toString()), "--overwrite");
        Path hf = tmp.resolve("hf");
        assertEquals(0, Cli.run("convert", model.toString(), "--to", "hf", hf.toString()).exit());
        byte[] weights = Files.readAllBytes(hf.resolve("model.safetensors"));
        assertRefused(Cli.run("export", hf.toString(), hf.resolve("model.safetensors").toString(), "--format", "onnx",
                "--overwrite"), "inside the input");
        assertArrayEquals(before, Files.readAllBytes(model));
        assertArrayEquals(weights, Files.readAllBytes(hf.resolve("model.safetensors")));
    }

    @Test
    void anEmptyOrFileOutIsRefusedBeforeAnyWork(@TempDir Path tmp) throws Exception {
        assertRefused(Cli.run(prune(Path.of(""), "0.5")), "empty");
        Path file = Files.writeString(tmp.resolve("notes.txt"), "mine");
        assertRefused(Cli.run("recover", MODEL.toString(), "--teacher", MODEL.toString(), "--data", TEXT, "--steps", "1",
                "--out", file.toString()), "is a file");
        assertRefused(Cli.run("export", MODEL.toString(), tmp.resolve("x.onnx").toString(), "--threads", "0"), "--threads");
        assertFalse(Files.exists(tmp.resolve("x.onnx")), "refused before writing");
        assertEquals("mine", Files.readString(file));
    }

    @Test
    void aRerunIntoAnOldRunIsRefusedBeforeItReplacesThePlanUnlessOverwrite(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        assertEquals(0, Cli.run(prune(run, "0.5")).exit());
        byte[] plan = Files.readAllBytes(run.resolve("plan.json"));
        var fileMode = Files.getPosixFilePermissions(Files.createFile(tmp.resolve("umask-file")));
        var dirMode = Files.getPosixFilePermissions(Files.createDirectory(tmp.resolve("umask-dir")));
        try (var s = Files.walk(run)) {
            for (Path p : s.toList()) {
                assertEquals(Files.isDirectory(p) ? dirMode : fileMode, Files.getPosixFilePermissions(p),
                        p + " follows the umask like any new file");
            }
        }
        assertRefused(Cli.run(prune(run, "0.8")), "already holds plan.json, pruned");
        assertArrayEquals(plan, Files.readAllBytes(run.resolve("plan.json")), "the old plan is untouched");
        try (OutputGuard other = OutputGuard.runEntries(run, List.of("notes.json"), false, List.of())) {
            assertRefused(Cli.run(prune(run, "0.8", "--overwrite")), "another prunekit process is writing");
        }
        assertArrayEquals(plan, Files.readAllBytes(run.resolve("plan.json")));
        Cli again = Cli.run(prune(run, "0.8", "--overwrite"));
        assertEquals(0, again.exit(), again.err());
        assertNotEquals(new String(plan), Files.readString(run.resolve("plan.json")), "--overwrite replaced the plan");
        assertEquals(List.of("plan.json", "pruned", "scores.json"), list(run), "no marker, backup or lock is left");
    }

    /** A 64 KiB tmpfs where this test may mount one (root, no sandbox); else skipped, saying so. */
    @Test
    void aFullDiskGivesOneLineAndNoPartialOutput(@TempDir Path tmp) throws Exception {
        Path disk = Files.createDirectories(tmp.resolve("disk"));
        Process m = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", disk.toString())
                .redirectErrorStream(true).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(m.waitFor() == 0, "cannot mount a tmpfs here: "
                + new String(m.getInputStream().readAllBytes()).trim());
        try {
            for (String[] args : List.of(new String[] {"export", MODEL.toString(), disk.resolve("m.onnx").toString()},
                    new String[] {"convert", MODEL.toString(), "--to", "hf", disk.resolve("hf").toString()},
                    prune(disk.resolve("run"), "0.5"))) {
                Cli r = Cli.run(args);
                assertRefused(r, "No space left on device");
                assertEquals(1, r.err().strip().lines().count(), r.err());
            }
            assertEquals(List.of("run"), list(disk), "no model.onnx, hf/ or temporary; the run is there, marked incomplete");
            List<String> run = list(disk.resolve("run"));
            assertTrue(run.contains(OutputGuard.INCOMPLETE) && !run.contains("pruned")
                    && run.stream().noneMatch(n -> n.startsWith(".")), run.toString());
            for (String json : List.of("plan.json", "scores.json")) {
                if (run.contains(json)) { // what fitted is whole
                    com.google.gson.JsonParser.parseString(Files.readString(disk.resolve("run").resolve(json)));
                }
            }
        } finally {
            new ProcessBuilder("umount", disk.toString()).start().waitFor();
        }
    }

    private static List<String> list(Path d) throws java.io.IOException {
        try (var s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
