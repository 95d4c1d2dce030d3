package prunekit.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** sweep.json is read strictly, and its front is the set of configurations nothing beats on both axes. */
class SweepTableTest {
    static final String SWEEP = """
            {"format": "prunekit-sweep/1", "protocol": "valid.txt, whole file",
             "dense": {"name": "dense", "params": 15000000, "ppl": 10.0, "tasks": [{"task": "cloze", "acc": 0.5}]},
             "configurations": [
               {"name": "a", "params": 9000000, "ppl": 12.0, "speedup_ort": 1.5, "speedup_llamacpp": 1.4,
                "tasks": [{"task": "cloze", "acc": 0.45}]},
               {"name": "b", "params": 9000000, "ppl": 14.0, "speedup_ort": 1.4, "speedup_llamacpp": 1.5,
                "tasks": [{"task": "cloze", "acc": 0.47}]},
               {"name": "c", "params": 5000000, "ppl": 20.0, "speedup_ort": 2.5, "speedup_llamacpp": 2.0,
                "tasks": [{"task": "cloze", "acc": 0.3}]}
             ]}
            """;

    @Test
    void readsTheFileAndDrawsTheFront(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("sweep.json"), SWEEP);
        SweepTable sweep = SweepJson.read(file);

        assertEquals(List.of(SweepTable.Runtime.ORT, SweepTable.Runtime.LLAMACPP), sweep.runtimes());
        assertEquals(List.of("cloze"), sweep.tasks());
        SpeedQualityChart.Data ppl = sweep.perplexityFront(SweepTable.Runtime.ORT);
        // b (1.4x, 14) is beaten by a (1.5x, 12) on both axes; dense, a and c each win on one
        assertEquals(List.of("dense", "a", "c"), names(SpeedQualityChart.front(ppl.models(), ppl.metric())));
        SpeedQualityChart.Data acc = sweep.accuracyFront("cloze", SweepTable.Runtime.ORT);
        // accuracy: higher is better, so b (0.47) is on the front now, a (0.45 at 1.5x) too
        assertEquals(List.of("dense", "b", "a", "c"), names(SpeedQualityChart.front(acc.models(), acc.metric())));
        SpeedQualityChart.Data llama = sweep.perplexityFront(SweepTable.Runtime.LLAMACPP);
        assertEquals(List.of("dense", "a", "b", "c"), names(SpeedQualityChart.front(llama.models(), llama.metric())));

        XYPlot plot = ppl.toChart().getXYPlot();
        assertEquals(2, plot.getDatasetCount(), "points and the front line");
        assertEquals(3, plot.getDataset(1).getItemCount(0));
        assertEquals(1.0, plot.getDataset(0).getXValue(0, 0), "dense at 1x");

        HtmlReport.Table table = sweep.table();
        assertEquals(List.of("configuration", "parameters", "perplexity", "speedup (ONNX Runtime)", "speedup (llama.cpp)",
                "cloze acc", "on the front"), table.header());
        assertTrue(table.rows().contains(List.of("b", "9.0 M", "14.00", "1.40×", "1.50×", "0.470", "")), table.toString());
        assertTrue(table.rows().contains(List.of("dense", "15.0 M", "10.00", "1.00×", "1.00×", "0.500", "yes")),
                table.toString());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            "format": "prunekit-sweep/1"                      | "format": "x"                      | format must be "prunekit-sweep/1", found "x"
            "speedup_ort": 1.5, "speedup_llamacpp": 1.4       | "speedup_ort": "1.5x"              | sweep.configurations[0].speedup_ort must be a number
            "speedup_ort": 1.5, "speedup_llamacpp": 1.4       | "speedup_llamacpp": 1.4            | configuration 'a': speedup_ort is missing
            "speedup_ort": 1.5, "speedup_llamacpp": 1.4       | "speedup_ort": 1.5                 | speedup_llamacpp is given for 2 of 3 configurations
            "ppl": 12.0                                       | "ppl": 12.0, "pll": 3              | unknown field "pll" in sweep.configurations[0]
            "name": "b"                                       | "name": "a"                        | configuration name 'a' is used twice
            "acc": 0.45                                       | "acc": 45                          | task 'cloze': acc must be a fraction in [0, 1], found 45.0
            "tasks": [{"task": "cloze", "acc": 0.3}]          | "tasks": []                        | configuration 'c' has tasks [] but dense has [cloze]
            "ppl": 10.0,                                      | "ppl": 10.0, "speedup_ort": 2,     | dense: ONNX Runtime speedup must be 1
            "params": 5000000                                 | "params": 0                        | configuration 'c': params must be > 0
            """)
    void badFilesNameTheProblem(String from, String to, String expected) {
        String json = SWEEP.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to));
        assertTrue(!json.equals(SWEEP), "the edit applied");
        ChartJsonException e = assertThrows(ChartJsonException.class, () -> SweepJson.parse(json, "run/sweep.json"));
        assertTrue(e.getMessage().startsWith("run/sweep.json: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), "message '" + e.getMessage() + "' lacks '" + expected + "'");
    }

    private static List<String> names(List<SpeedQualityChart.Point> points) {
        return points.stream().map(SpeedQualityChart.Point::model).toList();
    }
}
