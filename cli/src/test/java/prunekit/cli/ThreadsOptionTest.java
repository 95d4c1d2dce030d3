package prunekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import prunekit.core.engine.Engines;

/** --threads: one mixin on every command that computes, applied to PyTorch, reported in --json. */
class ThreadsOptionTest {
    static final List<String> COMPUTE = List.of("demo", "run", "generate", "eval", "score", "prune", "train", "recover",
            "export", "bench", "bench-forward", "prune-table");

    @Test
    void everyComputeCommandTakesThreadsFromTheOneMixin() {
        CommandLine cli = PrunekitCli.commandLine();
        for (String name : COMPUTE) {
            CommandSpec spec = cli.getSubcommands().get(name).getCommandSpec();
            assertTrue(spec.mixins().values().stream().anyMatch(m -> m.userObject() instanceof ThreadsOption),
                    name + " has no ThreadsOption mixin");
            assertEquals(1, spec.options().stream().filter(o -> o.names()[0].equals("--threads")).count(), name);
        }
    }

    @Test
    void evalRunsWithTheChosenThreadsAndReportsThem(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("t.txt"), "Once upon a time there was a little girl. ".repeat(20));
        try {
            for (int n : new int[] {2, 1}) {
                JsonObject j = CoreCommandsTest.json(Cli.run("eval", CoreCommandsTest.STORIES, "--text", text.toString(), "--ctx", "64",
                        "--threads", String.valueOf(n), "--json"));
                assertEquals(n, j.get("threads").getAsInt());
                assertEquals(n, JniUtils.getNumThreads(), "PyTorch's intra-op threads after --threads " + n);
            }
            JsonObject j = CoreCommandsTest.json(Cli.run("eval", CoreCommandsTest.STORIES, "--text", text.toString(), "--ctx", "64", "--json"));
            assertEquals(Engines.defaultThreads(), j.get("threads").getAsInt(), "default");
        } finally {
            Engines.useThreads(Engines.defaultThreads());
        }
    }

    @Test
    void zeroThreadsIsRefusedBeforeAnyWork(@TempDir Path dir) {
        Cli r = Cli.run("export", CoreCommandsTest.STORIES, dir.resolve("m.onnx").toString(), "--threads", "0");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--threads must be at least 1"), r.err());
        assertTrue(!Files.exists(dir.resolve("m.onnx")), "nothing written");
    }
}
