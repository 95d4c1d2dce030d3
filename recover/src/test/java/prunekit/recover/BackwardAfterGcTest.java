package prunekit.recover;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaWeights;

/**
 * Regression test for the intermittent NaN/garbage gradients of long DJL training loops: a
 * garbage collection between forward and backward (forced here, with fresh direct buffers filled
 * with NaN to take over freed memory) must not change a single bit of the trained weights.
 * Before the fix, the attention scale was {@code scores.mul(1/√d)}: DJL wrapped the number in a
 * tensor over a Java direct buffer and closed it at once while autograd kept it for MulBackward;
 * after a GC, backward read freed memory (the q/k gradients came out 0, garbage or NaN).
 */
class BackwardAfterGcTest {

    @Test
    void garbageCollectionBetweenForwardAndBackwardChangesNothing(@TempDir Path tmp) {
        TrainRecipe recipe = TrainRuns.recipe(3).evalEvery(0).checkpointEvery(0).build(); // 2 micro-batches a step
        LlamaWeights quiet = TrainRuns.trainer(recipe, tmp.resolve("quiet")).run(TrainRuns.start(), null, false).weights();
        Trainer churned = TrainRuns.trainer(recipe, tmp.resolve("gc"));
        churned.injectFaults(new FaultInjector() {
            @Override
            public NDArray loss(int step, NDArray loss) {
                collectAndReuseFreedMemory();
                return loss;
            }
        });
        LlamaWeights afterGc = churned.run(TrainRuns.start(), null, false).weights();
        for (String name : quiet.tensors().keySet()) {
            FloatTensor a = quiet.get(name);
            FloatTensor b = afterGc.get(name);
            assertArrayEquals(a.data(), b.data(), name + " differs when a GC runs between forward and backward");
        }
    }

    static void collectAndReuseFreedMemory() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<ByteBuffer> reuse = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
            b.putFloat(0, Float.NaN).putFloat(4, Float.NaN);
            reuse.add(b);
        }
    }
}
