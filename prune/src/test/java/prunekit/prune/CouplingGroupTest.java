package prunekit.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import prunekit.core.model.LlamaConfig;
import prunekit.prune.group.CouplingGroup;
import prunekit.prune.group.GroupKind;
import prunekit.prune.group.ModelTensors;

/** A group's cost is what its slices cover: counted slice by slice, it equals what cutting the group removes. */
class CouplingGroupTest {
    static List<LlamaConfig> configs() {
        return Fixtures.configs();
    }

    @ParameterizedTest
    @MethodSource("configs")
    void costIsWhatCuttingTheGroupRemoves(LlamaConfig c) {
        for (ModelTensors t : List.of(ModelTensors.of(c), ModelTensors.of(c).withEveryBias())) {
            long total = t.parameters();
            for (GroupKind k : GroupKind.values()) {
                for (List<CouplingGroup> row : k.groups(c)) {
                    for (CouplingGroup g : row) {
                        long cost = t.parameters(g);
                        assertTrue(cost > 0, g + " covers nothing");
                        assertEquals(total - cost, t.cut(List.of(g)).parameters(), g + ": its slices overlap");
                    }
                }
            }
        }
        assertEquals(c.parameterCount(), ModelTensors.of(c).parameters());
    }

    /** Hand counts on the biased fixture: hidden 24, head dim 6; layer 1 has 3 KV groups of 2 heads. */
    @ParameterizedTest
    @MethodSource("configs")
    void costsByHand(LlamaConfig c) {
        if (!c.attentionBias()) {
            return;
        }
        ModelTensors t = ModelTensors.of(c);
        // q rows 2·6, k/v rows 6 each (x 24 inputs), o columns 12 (x 24 outputs), biases 12 + 6 + 6
        assertEquals(12 * 24 + 2 * 6 * 24 + 24 * 12 + 12 + 6 + 6, t.parameters(new CouplingGroup.KvGroup(1, 2)));
        // gate and up rows (24 each), down column (24), gate and up biases
        assertEquals(3 * 24 + 2, t.parameters(new CouplingGroup.MlpChannel(1, 0)));
    }
}
