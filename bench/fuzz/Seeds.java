import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import prunekit.core.io.GgmlType;
import prunekit.core.io.GgufWriter;
import prunekit.core.io.HfCheckpoint;
import prunekit.core.model.DType;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.Model;
import prunekit.core.model.RandomWeights;
import prunekit.core.tokenize.SentencePieceBpe;
import prunekit.prune.group.GroupKind;
import prunekit.prune.plan.LayerPlan;
import prunekit.prune.plan.PlanJson;
import prunekit.prune.plan.PruningPlan;
import prunekit.prune.score.ImportanceScores;
import prunekit.prune.score.ScorerName;
import prunekit.prune.score.ScoresJson;

/**
 * Writes the fuzz targets' seed corpora (small valid files, so that the fuzzer starts from inputs that
 * load and mutates from there). Run from the repository root after {@code mvn -o -q -pl prune -am test-compile}:
 * <pre>java -cp "core/target/classes:calibrate/target/classes:prune/target/classes:$(cat /tmp/cp.txt)" bench/fuzz/Seeds.java</pre>
 * where /tmp/cp.txt is {@code mvn -o -q -pl prune dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt}.
 */
public final class Seeds {
    static final Path CORE = Path.of("core/src/test/resources/prunekit/core/io");
    static final Path PRUNE = Path.of("prune/src/test/resources/prunekit/prune");

    public static void main(String[] args) throws Exception {
        LlamaConfig c = LlamaConfig.builder().vocabSize(16).hidden(8).headDim(4)
                .uniformLayers(2, new LayerShape(2, 1, 8)).maxPositions(16).build();
        Model m = new Model(c, RandomWeights.of(c, 1), tokenizer(), "seed");
        Path tmp = Files.createTempDirectory("prunekit-seeds");
        HfCheckpoint.write(m, tmp.resolve("hf"), DType.F16);
        copy(tmp.resolve("hf/model.safetensors"), CORE.resolve("SafetensorsFuzzTestInputs/header/tiny-f16.safetensors"));
        copy(tmp.resolve("hf/config.json"), CORE.resolve("HfConfigFuzzTestInputs/config/tiny.json"));
        copy(tmp.resolve("hf/tokenizer.json"), CORE.resolve("HfTokenizerFuzzTestInputs/tokenizer/tiny.json"));
        HfCheckpoint.write(m, tmp.resolve("hf32"), DType.F32);
        copy(tmp.resolve("hf32/model.safetensors"), CORE.resolve("SafetensorsFuzzTestInputs/header/tiny-f32.safetensors"));
        LlamaConfig perLayer = c.withLayers(List.of(new LayerShape(2, 1, 8), new LayerShape(1, 1, 3)));
        HfCheckpoint.writeConfigFiles(perLayer, tmp.resolve("hf"), DType.BF16);
        copy(tmp.resolve("hf/config.json"), CORE.resolve("HfConfigFuzzTestInputs/config/per-layer.json"));
        write(CORE.resolve("SafetensorsIndexFuzzTestInputs/index/index.json"), ("{\"metadata\": {\"total_size\": 4},"
                + " \"weight_map\": {\"a\": \"shard.safetensors\", \"b\": \"shard.safetensors\"}}").getBytes(StandardCharsets.UTF_8));
        GgufWriter.write(m, tmp.resolve("m.gguf"), GgufWriter.Options.of(GgmlType.F16, "seed"));
        copy(tmp.resolve("m.gguf"), CORE.resolve("GgufFuzzTestInputs/gguf/tiny-f16.gguf"));
        write(CORE.resolve("Llama2cFuzzTestInputs/checkpoint/tiny.bin"), llama2c(8, 8, 1, 2, 1, 16, 4));
        write(CORE.resolve("Llama2cTokenizerFuzzTestInputs/tokenizer/tiny.bin"), llama2cTokenizer(16));

        PruningPlan plan = new PruningPlan("magnitude", "seed", new int[] {0, 2, 3, 5, 6, 7},
                List.of(new LayerPlan(0, false, new int[] {0}, new int[] {1}, new int[] {0, 4, 7}), LayerPlan.dropped(1)));
        PlanJson.write(plan, c, PRUNE.resolve("plan/PlanJsonFuzzTestInputs/plan/pruned.json"));
        PlanJson.write(PruningPlan.identity(c), c, PRUNE.resolve("plan/PlanJsonFuzzTestInputs/plan/identity.json"));
        Map<GroupKind, double[][]> kinds = new EnumMap<>(GroupKind.class);
        kinds.put(GroupKind.KV_GROUP, new double[][] {{0.5}, {0.25}});
        kinds.put(GroupKind.MLP_CHANNEL, new double[][] {{1, 2, 3, 4, 5, 6, 7, 8}, {8, 7, 6, 5, 4, 3, 2, 1}});
        kinds.put(GroupKind.LAYER, new double[][] {{0.1, 0.2}});
        Map<ScorerName, Map<GroupKind, double[][]>> scores = new EnumMap<>(ScorerName.class);
        scores.put(ScorerName.MAGNITUDE, kinds);
        ImportanceScores s = new ImportanceScores(new ImportanceScores.Provenance("seed", "text", 2, 8, 0, 16, 2.5),
                8, 4, c.layers(), scores, List.of());
        ScoresJson.write(s, PRUNE.resolve("score/ScoresJsonFuzzTestInputs/scores/tiny.json"));
        ScoresJson.read(PRUNE.resolve("score/ScoresJsonFuzzTestInputs/scores/tiny.json"));
        PlanJson.read(PRUNE.resolve("plan/PlanJsonFuzzTestInputs/plan/pruned.json"));
    }

    static final List<String> PIECES = List.of("<unk>", "<s>", "</s>", "\u2581", "a", "b", "c", "\u2581a",
            "\u2581b", "ab", "ba", "\u2581ab", "bc", "ca", "\u2581c", "abc");

    static SentencePieceBpe tokenizer() {
        List<String> pieces = new ArrayList<>(PIECES);
        float[] scores = new float[pieces.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = -i;
        }
        return SentencePieceBpe.builder().pieces(pieces).scores(scores).bosId(1).eosId(2).unkId(0).build();
    }

    /** llama2.c's run.c layout: 7 int32 header, then the fp32 tensors (shared classifier). */
    static byte[] llama2c(int dim, int hidden, int layers, int heads, int kvHeads, int vocab, int seqLen) {
        int hs = dim / heads;
        long floats = (long) vocab * dim + layers * dim + (long) layers * dim * dim + 2L * layers * kvHeads * hs * dim
                + (long) layers * dim * dim + layers * dim + 3L * layers * hidden * dim + dim + 2L * seqLen * (hs / 2);
        ByteBuffer b = ByteBuffer.allocate(28 + (int) (4 * floats)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(dim).putInt(hidden).putInt(layers).putInt(heads).putInt(kvHeads).putInt(vocab).putInt(seqLen);
        for (long i = 0; i < floats; i++) {
            b.putFloat((float) Math.sin(i) * 0.1f);
        }
        return b.array();
    }

    static byte[] llama2cTokenizer(int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(8);
        out.writeBytes(h.array());
        for (String p : PIECES) {
            byte[] t = p.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
            ByteBuffer e = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(-1).putInt(t.length);
            out.writeBytes(e.array());
            out.writeBytes(t);
        }
        return out.toByteArray();
    }

    static void copy(Path from, Path to) throws Exception {
        write(to, Files.readAllBytes(from));
    }

    static void write(Path to, byte[] bytes) throws Exception {
        Files.createDirectories(to.getParent());
        Files.write(to, bytes);
    }
}
