package prunekit.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.PrunekitException;
import prunekit.core.TestModels;
import prunekit.calibrate.CalibrationOptions;
import prunekit.calibrate.CalibrationSet;
import prunekit.core.SharedFiles;
import prunekit.core.io.HfCheckpoint;
import prunekit.core.io.LazyModel;
import prunekit.core.io.MeteredTensorSource;
import prunekit.core.io.ModelLoader;
import prunekit.core.io.SafetensorsWriter;
import prunekit.core.io.SyntheticWeights;
import prunekit.core.io.TensorSource;
import prunekit.core.model.DType;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.Model;
import prunekit.core.model.ReferenceShape;
import prunekit.prune.budget.Budget;
import prunekit.prune.budget.PlanOptions;
import prunekit.prune.budget.Planner;
import prunekit.prune.plan.PlanJson;
import prunekit.prune.plan.PruningPlan;
import prunekit.prune.score.ImportanceScorer;
import prunekit.prune.score.ScorerName;
import prunekit.prune.score.Scoring;
import prunekit.prune.score.ScoringOptions;
import prunekit.prune.score.ScoresJson;
import prunekit.prune.score.WholeModelLimit;
import prunekit.prune.surgery.Surgery;
import prunekit.prune.surgery.SurgeryOptions;

/** The streamed prune: what it holds at once, and that it writes what the in-memory stages write. */
class StreamedPruneTest {
    static final PlanOptions COMPENSATED = PlanOptions.defaults().withBiasCompensation(true);

    static StreamedPrune.Request request(ScorerName scorer, Budget budget) {
        return new StreamedPrune.Request(scorer, null, budget, COMPENSATED, ScoringOptions.defaults(),
                HfCheckpoint.WriteOptions.defaults());
    }

    static CalibrationSet randomCalibration(int vocab) {
        java.util.Random r = new java.util.Random(3);
        int[] stream = new int[400];
        for (int i = 0; i < stream.length; i++) {
            stream[i] = r.nextInt(vocab);
        }
        return CalibrationSet.fromStream(stream, "random", new CalibrationOptions(6, 12, 1, 1));
    }

    /**
     * 2 and 16 layers of the same width: statistics (with taylor's layer-wise backward), scores and
     * compensated surgery hold at most the largest of the embedding, one layer's weights, or norm + head,
     * whatever the depth.
     */
    @ParameterizedTest
    @ValueSource(strings = {"FLUCTUATION", "TAYLOR"})
    void residentWeightsOfAStreamedPruneDoNotGrowWithLayerCount(ScorerName scorer, @TempDir Path dir) {
        int[] layers = {2, 16};
        long[] peaks = new long[2];
        for (int k = 0; k < 2; k++) {
            LlamaConfig c = ReferenceShape.TINY.withLayers(layers[k]);
            MeteredTensorSource src = new MeteredTensorSource(new SyntheticWeights(c, DType.F32, 1));
            StreamedPrune.Result r = StreamedPrune.run(new LazyModel(src, null), randomCalibration(c.vocabSize()),
                    request(scorer, new Budget.KeepRatio(0.6, Budget.Scope.LAYERS)),
                    dir.resolve("l" + layers[k]), msg -> { });
            assertTrue(r.paramsAfter() < r.paramsBefore());
            try (TensorSource back = TensorSource.open(r.prunedDir())) {
                assertEquals(r.paramsAfter(), back.parameterCount(), "the checkpoint holds what the plan says");
            }
            peaks[k] = src.peakBytes();
        }
        LlamaConfig c = ReferenceShape.TINY.config();
        long layer = TestModels.layerBytes(c);
        assertEquals(TestModels.oneLayerPeakBytes(c), peaks[0]);
        assertEquals(peaks[0], peaks[1]);
        assertTrue(peaks[1] < 16 * layer, "far below the 16 layers' " + 16 * layer + " bytes");
    }

    /** From a file, streamed, the same scores.json, plan.json and checkpoint bytes as the in-memory stages. */
    @ParameterizedTest
    @ValueSource(strings = {"models/stories260K.gguf", "models/mini-vina"})
    void streamedPruneWritesTheBytesOfTheInMemoryStages(String model, @TempDir Path dir) throws Exception {
        Path path = SharedFiles.project(model);
        Path text = Path.of(getClass().getResource("/short-stories.txt").toURI());
        Budget budget = new Budget.KeepRatio(0.6, Budget.Scope.LAYERS);
        Model m = ModelLoader.load(path, null);
        CalibrationSet set = CalibrationSet.from(List.of(text), m.tokenizer(), new CalibrationOptions(6, 32, 1, 2));
        ScoringOptions so = ScoringOptions.defaults().withKinds(Planner.kindsNeeded(m.config(), budget, COMPENSATED));
        Scoring.Result s = Scoring.runWithStats(m, set, List.of(ScorerName.WANDA), so, msg -> { });
        PruningPlan plan = Planner.plan(m.config(), s.scores(), ScorerName.WANDA, budget, COMPENSATED);
        Path memory = dir.resolve("memory");
        ScoresJson.write(s.scores(), memory.resolve("scores.json"));
        PlanJson.write(plan, m.config(), memory.resolve("plan.json"));
        HfCheckpoint.write(Surgery.apply(m, plan, new SurgeryOptions(true, s.stats())), memory.resolve("pruned"), null);
        Path streamed = dir.resolve("streamed");
        try (LazyModel lm = ModelLoader.open(path, null)) {
            StreamedPrune.run(lm, set, request(ScorerName.WANDA, budget), streamed, msg -> { });
        }
        for (String f : List.of("scores.json", "plan.json", "pruned/config.json", "pruned/model.safetensors")) {
            assertArrayEquals(Files.readAllBytes(memory.resolve(f)), Files.readAllBytes(streamed.resolve(f)), f);
        }
    }

    /** A large output is written as HF shards + index, in the input's dtype, holding the tensors of the single file. */
    @Test
    void largeOutputsAreShardedInTheInputDtype(@TempDir Path dir) throws Exception {
        LlamaConfig c = ReferenceShape.TINY.withLayers(3);
        Path[] outs = new Path[2];
        long[] shard = {HfCheckpoint.WriteOptions.defaults().maxShardBytes(), 60_000};
        for (int k = 0; k < 2; k++) {
            StreamedPrune.Request r = new StreamedPrune.Request(ScorerName.MAGNITUDE, null,
                    new Budget.KeepRatio(0.6, Budget.Scope.LAYERS), PlanOptions.defaults(), ScoringOptions.defaults(),
                    HfCheckpoint.WriteOptions.defaults().withMaxShardBytes(shard[k]));
            outs[k] = StreamedPrune.run(new LazyModel(new SyntheticWeights(c, DType.BF16, 2), null),
                    randomCalibration(c.vocabSize()), r, dir.resolve("o" + k), msg -> { }).prunedDir();
        }
        assertTrue(Files.exists(outs[0].resolve("model.safetensors")));
        assertTrue(Files.exists(outs[1].resolve("model.safetensors.index.json")));
        List<String> shards;
        try (var files = Files.list(outs[1])) {
            shards = files.map(f -> f.getFileName().toString()).filter(f -> f.startsWith("model-")).sorted().toList();
        }
        assertTrue(shards.size() > 1, "shards of at most 60 KB: " + shards);
        for (int i = 0; i < shards.size(); i++) {
            assertEquals(SafetensorsWriter.shardName(i + 1, shards.size()), shards.get(i));
        }
        try (TensorSource one = TensorSource.open(outs[0]); TensorSource sharded = TensorSource.open(outs[1])) {
            assertEquals(DType.BF16, sharded.storedDtype());
            for (String n : one.shapes().keySet()) {
                assertArrayEquals(one.read(n).data(), sharded.read(n).data(), n);
            }
        }
    }

    /** The oracle on LLaMA-2-7B's shape needs far more than 24 GB: refused before anything is read, with the estimate; taylor streams. */
    @Test
    void theOracleRefusesAModelThatDoesNotFitWithAnEstimate() {
        LlamaConfig c = ReferenceShape.LLAMA_2_7B.config();
        ImportanceScorer oracle = ScorerName.ORACLE.create(ScoringOptions.defaults());
        assertTrue(WholeModelLimit.bytesNeeded(c) >= 12 * c.parameterCount(), "weights, native copy and a cut copy");
        PrunekitException e = assertThrows(PrunekitException.class,
                () -> WholeModelLimit.check(oracle, c, 24_000_000_000L));
        assertTrue(e.getMessage().startsWith("scorer oracle holds the whole model in memory: it needs about "), e.getMessage());
        assertTrue(e.getMessage().contains("use a streamed scorer"), e.getMessage());
        assertFalse(WholeModelLimit.holdsWholeModel(ScorerName.TAYLOR.create(ScoringOptions.defaults())));
    }
}
