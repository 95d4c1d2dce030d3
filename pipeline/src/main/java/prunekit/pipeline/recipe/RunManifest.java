package prunekit.pipeline.recipe;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import prunekit.core.io.Json;
import prunekit.pipeline.RunDirectory;

/**
 * RUN/manifest.json: the recipe as written, versions, seeds, the sha256 of every input and every
 * stage's key, outputs and time. Rewritten (atomically) after each stage; {@code complete} appears
 * only in the last write, after every stage and the sweep table are on disk.
 */
final class RunManifest {
    static final String FILE = "manifest.json";

    private final Path run;
    private final Map<String, Object> head = new LinkedHashMap<>();
    private final List<Map<String, Object>> stages = new ArrayList<>();

    RunManifest(Path run, RunRecipe r, String recipeText, Map<String, String> inputs) {
        this.run = run;
        head.put("job", r.name());
        head.put("started", Instant.now().toString());
        head.put("prunekit", RunDirectory.version());
        head.put("java", System.getProperty("java.version"));
        head.put("recipe", recipeText);
        Map<String, Object> seeds = new LinkedHashMap<>();
        seeds.put("calibration", r.prune().seed());
        seeds.put("recover", r.recover().stream().map(RunRecipe.Recover::seed).toList());
        seeds.put("bench", r.bench() == null ? null : r.bench().seed());
        head.put("seeds", seeds);
        head.put("inputs_sha256", inputs);
    }

    void add(StageCache.Done d) throws IOException {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("stage", d.kind().id() + "/" + d.name());
        s.put("dir", run.relativize(d.dir()).toString());
        s.put("key", d.key());
        s.put("reused", d.reused());
        s.put("seconds", d.seconds());
        s.put("outputs_sha256", d.outputs());
        stages.add(s);
        write(false);
    }

    void write(boolean complete) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>(head);
        m.put("stages", stages);
        if (complete) {
            m.put("finished", Instant.now().toString());
            m.put("complete", true);
        }
        Json.write(run.resolve(FILE), Json.tree(m), Json.Layout.EXPANDED);
    }
}
