package prunekit.recover;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.io.SafetensorsWriter;

/**
 * A real {@code kill -9}: a child JVM runs a LoRA + KD recovery (slowed by a sleeping listener so
 * the kill lands mid-run), is killed forcibly once a checkpoint past step 6 exists, and the run is
 * resumed here; its final checkpoint and recovered model equal, byte for byte, those of a run never
 * interrupted. Same thread count in both processes (one PyTorch thread, as surefire sets here).
 */
class KillResumeTest {
    static final int STEPS = 30;

    static Recipe recipe() {
        return Recipe.recover(TrainRuns.recipe(STEPS).build(), Recipe.Mode.LORA, RecoverRuns.lora(),
                LossSpec.kd(2.0), 0);
    }

    /** The child: runs {@link #recipe()} into args[0], sleeping args[1] ms after each step. */
    public static void main(String[] args) {
        long sleep = Long.parseLong(args[1]);
        TrainListener slow = new TrainListener() {
            @Override
            public void onStep(TrainLog.Entry e, int total, double tokensPerSecond, double eta) {
                try {
                    Thread.sleep(sleep);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        new Trainer(recipe(), RunOptions.defaults(), TrainRuns.data(), Path.of(args[0]), slow)
                .run(RecoverRuns.student(), RecoverRuns.teacher(), false);
    }

    @Test
    void killMinus9ThenResumeIsBitIdentical(@TempDir Path tmp) throws IOException, InterruptedException {
        Path killed = tmp.resolve("killed");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=" + System.getProperty("ai.djl.pytorch.num_threads", "1"),
                "-Dai.djl.pytorch.num_interop_threads=1", KillResumeTest.class.getName(), killed.toString(), "150");
        pb.environment().put("OMP_NUM_THREADS", System.getenv().getOrDefault("OMP_NUM_THREADS", "1"));
        pb.redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile());
        Process child = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (TrainCheckpoint.latest(killed).map(TrainCheckpoint.Loaded::step).orElse(0) < 6) {
                assertTrue(child.isAlive(), "the child ended before it could be killed: " + Files.readString(tmp.resolve("child.log")));
                assertTrue(System.nanoTime() < deadline, "no checkpoint after 60 s");
                Thread.sleep(50);
            }
        } finally {
            child.destroyForcibly(); // SIGKILL on Linux
            child.waitFor(30, TimeUnit.SECONDS);
        }
        int killedAfter = TrainCheckpoint.latest(killed).orElseThrow().step();
        assertTrue(killedAfter < STEPS, "killed mid-run (last checkpoint " + killedAfter + ")");

        new Trainer(recipe(), RunOptions.defaults(), TrainRuns.data(), killed, TrainListener.NONE)
                .run(RecoverRuns.student(), RecoverRuns.teacher(), true);
        Path straight = tmp.resolve("straight");
        new Trainer(recipe(), RunOptions.defaults(), TrainRuns.data(), straight, TrainListener.NONE)
                .run(RecoverRuns.student(), RecoverRuns.teacher(), false);
        String last = String.format("checkpoints/step-%06d", STEPS);
        for (String f : List.of(SafetensorsWriter.SINGLE_FILE, TrainCheckpoint.OPTIMIZER_FILE)) {
            assertArrayEquals(Files.readAllBytes(straight.resolve(last).resolve(f)),
                    Files.readAllBytes(killed.resolve(last).resolve(f)), f);
        }
        assertArrayEquals(Files.readAllBytes(straight.resolve("recovered").resolve(SafetensorsWriter.SINGLE_FILE)),
                Files.readAllBytes(killed.resolve("recovered").resolve(SafetensorsWriter.SINGLE_FILE)), "recovered model");
    }
}
