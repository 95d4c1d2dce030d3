package prunekit.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Chart inputs survive a JSON round trip, and bad chart JSON is reported with file and cause. */
class VizJsonTest {
    @TempDir
    Path dir;

    static Stream<Arguments> fixtures() {
        return ChartFixtures.all();
    }

    /** ChartData.kind() finds its ChartKind at run time: every permitted chart type has exactly one. */
    @Test
    void everyChartTypeHasExactlyOneKind() {
        Class<?>[] types = ChartData.class.getPermittedSubclasses();
        assertEquals(ChartKind.values().length, types.length);
        for (Class<?> t : types) {
            assertEquals(1, Stream.of(ChartKind.values()).filter(k -> k.dataType() == t).count(), t.getName());
        }
        ChartFixtures.all().forEach(a -> {
            ChartData d = (ChartData) a.get()[1];
            assertEquals(d.getClass(), d.kind().dataType());
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void roundTripGivesAnEqualRecord(String name, ChartData data) {
        String json = VizJson.toJson(data);
        assertTrue(json.startsWith("{\n  \"chart\": \"" + data.kind().id() + "\""), json.substring(0, 40));
        ChartData back = VizJson.parse(json, name + ".json");
        assertEquals(data, back);
        assertEquals(json, VizJson.toJson(back));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void writeThenReadAFile(String name, ChartData data) throws IOException {
        Path file = dir.resolve("in.json");
        VizJson.write(data, file);
        assertEquals(data, VizJson.read(file));
    }

    @Test
    void defaultsFillOptionalFields() {
        ChartData data = VizJson.parse("{\"chart\": \"kept-fraction\", \"mlp\": [0.5, 1]}", "k.json");
        KeptFractionChart.Data kept = (KeptFractionChart.Data) data;
        assertEquals("Kept fraction per layer", kept.title());
        assertEquals(java.util.List.of(), kept.attention());
        assertEquals(2, kept.layers());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            {                                                              | not valid JSON
            [1, 2]                                                         | expected a JSON object
            {"scores": [[1]]}                                              | the "chart" field is missing
            {"chart": "pie"}                                               | unknown chart "pie"; expected one of "head-heatmap"
            {"chart": "head-heatmap"}                                      | head-heatmap: scores is missing
            {"chart": "head-heatmap", "scroes": [[1]]}                     | unknown field "scroes" in head-heatmap; expected title
            {"chart": "head-heatmap", "scores": "x"}                       | runs/bad.json: head-heatmap.scores must be a list [...], found the string "x"
            {"chart": "channel-importance", "scores": [[1], [true]]}       | channel-importance.scores[1][0] must be a number, found true
            {"chart": "head-heatmap", "scores": [[1]], "pruned": [[0.5]]}  | head-heatmap.pruned[0][0] must be a 32-bit integer, found 0.5
            {"chart": "speed-quality", "models": [{"model": "a", "speedup": "fast", "quality": 5}]} | speed-quality.models[0].speedup must be a number, found the string "fast"
            {"chart": "recovery", "log_y": "yes", "runs": []}               | recovery.log_y must be true or false
            {"chart": "head-heatmap", "scores": [[1, NaN]]}                | not valid JSON
            {"chart": "head-heatmap", "scores": [[1, null]]}               | scores[0][1] is null
            {"chart": "head-heatmap", "scores": [[1]]} x                   | unexpected data after the JSON object
            {"chart": "head-heatmap", "scores": [[1, 2]], "pruned": [[5]]} | pruned[0] names head 5 but layer 0 has 2 heads
            {"chart": "head-heatmap", "log_scale": true, "scores": [[0]]}   | scores[0] (log_scale)[0] must be > 0
            {"chart": "kept-fraction", "attention": [1.2]}                 | attention[0] must be a fraction in [0, 1], found 1.2
            {"chart": "keep-ratio", "curves": [{"scorer": "w", "allocation": "greedy", "keep_ratio": [0.5], "perplexity": [9]}]} | keep-ratio.curves[0].allocation must be one of "uniform", "adaptive", found "greedy"
            {"chart": "keep-ratio", "curves": [{"scorer": "w", "keep_ratio": [0.5], "perplexity": [9]}]} | keep-ratio: curve 'w': allocation is missing
            {"chart": "keep-ratio", "curves": [{"scorer": "w", "allocation": "uniform", "keep_ratio": [0.5, 0.6], "perplexity": [9]}]} | curve 'w, uniform': perplexity has 1 values but curve 'w, uniform': keep_ratio has 2
            {"chart": "recovery", "runs": [{"name": "a", "tokens": [1], "perplexity": [5], "extra": 1}]} | unknown field "extra" in recovery.runs[0]
            {"chart": "speed-quality", "models": [{"model": "a", "quality": 5}]} | model 'a': speedup must be a finite number > 0, found 0.0 (missing?)
            {"chart": "scorer-scatter", "scorers": [{"name": "w", "score": [1], "oracle": [2]}]} | scorer 'w' needs at least 2 groups
            {"chart": "loss-curve", "runs": [{"name": "a"}]}               | run 'a': has neither training nor validation loss
            """)
    void badJsonNamesTheFileAndTheProblem(String json, String expected) {
        ChartJsonException e = assertThrows(ChartJsonException.class, () -> VizJson.parse(json, "runs/bad.json"));
        assertTrue(e.getMessage().startsWith("runs/bad.json: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), "message '" + e.getMessage() + "' lacks '" + expected + "'");
        assertEquals("runs/bad.json", e.source());
    }

    @Test
    void readingAFileNamesItsPath() throws IOException {
        Path file = dir.resolve("broken.json");
        Files.writeString(file, "{\"chart\": \"recovery\", \"runs\": []}");
        ChartJsonException e = assertThrows(ChartJsonException.class, () -> VizJson.read(file));
        assertTrue(e.getMessage().startsWith(file.toString() + ": recovery: runs is empty"), e.getMessage());
    }
}
