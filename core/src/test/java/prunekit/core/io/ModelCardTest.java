package prunekit.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.SharedFiles;
import prunekit.core.model.DType;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.Model;

/** The README.md beside every HF checkpoint: Hub front matter, what was cut, measurements, the command. */
class ModelCardTest {
    @TempDir
    Path dir;

    @Test
    void everyCheckpointGetsACardWithHubFrontMatter() throws IOException {
        Model m = HfCheckpoint.read(SharedFiles.project("models/mini-vina"));
        Path out = dir.resolve("copy");
        HfCheckpoint.write(m, out, DType.BF16);
        String card = Files.readString(out.resolve(ModelCard.FILE_NAME));
        assertTrue(card.startsWith("---\nbase_model: "), card);
        assertTrue(card.contains("\nlibrary_name: transformers\ntags:\n- pruned\n- prunekit\npipeline_tag: text-generation\n---\n"), card);
        assertFalse(card.contains("license:"), "the source names no license, so none is claimed");
        assertFalse(card.contains("What was cut"), "not pruned here");
        assertTrue(card.contains("6,843,648 parameters"), card);
    }

    @Test
    void prunedCardSaysWhatWasCutAndTheSourceLicense() throws IOException {
        Path src = Files.createDirectories(dir.resolve("base"));
        Files.writeString(src.resolve("README.md"), "---\nlicense: mit\nlanguage: vi\n---\n# base\n");
        LlamaConfig big = LlamaConfig.builder().vocabSize(37).hidden(16).headDim(4)
                .uniformLayers(2, new LayerShape(4, 2, 24)).build();
        LlamaConfig small = big.toBuilder().layers(List.of(new LayerShape(2, 1, 12), new LayerShape(4, 2, 8))).build();
        ModelCard card = ModelCard.pruned(src.toString(), big.parameterCount(), "wanda, 50% of layer parameters")
                .withCommand("prunekit prune base --ratio 0.5");
        String text = card.render(small);
        assertTrue(text.contains("\nlicense: mit\n"), text);
        assertTrue(text.contains("Plan: wanda, 50% of layer parameters"), text);
        assertTrue(text.contains(String.format("Parameters: %,d → %,d", big.parameterCount(), small.parameterCount())), text);
        assertTrue(text.contains("per-layer shapes"), text);
        assertTrue(text.contains("| 0 | 2 | 1 | 12 |\n| 1 | 4 | 2 | 8 |"), text);
        assertTrue(text.contains("```\nprunekit prune base --ratio 0.5\n```"), text);
        assertEquals("mit", ModelCard.licenseOf(src + " pruned (x)"));
    }
}
