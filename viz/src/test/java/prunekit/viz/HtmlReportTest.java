package prunekit.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report escapes every text, formats the summary, embeds every chart with its own ids, and orders its sections. */
class HtmlReportTest {
    @TempDir
    static Path dir;
    private static WrittenChart heatmap;

    @BeforeAll
    static void renderCharts() throws IOException {
        heatmap = Charts.write(ChartFixtures.heatmap(), dir.resolve("charts/head-heatmap"));
    }

    private static HtmlReport.Builder report() throws IOException {
        return HtmlReport.builder("VinaLLaMA <7B> → 2.7B")
                .summary(new HtmlReport.SummaryRow("dense <b>7B</b>", 6_738_415_616L, 8.9012, 31.25, 1.0))
                .summary(new HtmlReport.SummaryRow("pruned & recovered", 2_700_000_000L, 11.4, 71.9, 2.3))
                .summary(new HtmlReport.SummaryRow("tiny", 15_000_000L, null, null, null))
                .protocol("perplexity: <valid.txt>, whole file")
                .manifest("{\"seed\": 1}")
                .add(HtmlReport.Section.SENSITIVITY, HtmlReport.Figure.read("Head importance <wanda>", heatmap.svg()))
                .add(HtmlReport.Section.RECOVERY, HtmlReport.Figure.of("Recovery", ChartFixtures.recovery()))
                .tasks(new HtmlReport.Table("Zero-shot \"tasks\"", List.of("task", "dense", "pruned"),
                        List.of(List.of("arc<e>", "0.71", "0.64"), List.of("hella'swag", "0.55", "0.49"))))
                .add(HtmlReport.Section.GENERATIONS, new HtmlReport.Sample("dense", "Điều 1.", "Phạm <vi>", "greedy"))
                .add(HtmlReport.Section.GENERATIONS, new HtmlReport.Sample("pruned", "Điều 1.", "Luật", "greedy"))
                .recipe("prune:\n  ratio: 0.5\n");
    }

    @Test
    void escapesAllTextAndFormatsTheSummary() throws IOException {
        String page = Files.readString(report().write(dir.resolve("report.html")));

        assertTrue(page.startsWith("<!DOCTYPE html>"));
        assertTrue(page.contains("<title>VinaLLaMA &lt;7B&gt; → 2.7B</title>"));
        assertTrue(page.contains("<td>dense &lt;b&gt;7B&lt;/b&gt;</td><td class=\"num\">6.74 B</td>"
                + "<td class=\"num\">8.90</td><td class=\"num\">31.3</td><td class=\"num\">1.00×</td>"), page);
        assertTrue(page.contains("<td>pruned &amp; recovered</td><td class=\"num\">2.70 B</td>"));
        assertTrue(page.contains("<td>tiny</td><td class=\"num\">15.0 M</td><td class=\"num\">—</td>"));
        assertTrue(page.contains("<li>perplexity: &lt;valid.txt&gt;, whole file</li>"));
        assertTrue(page.contains("<p class=\"note\">Zero-shot &quot;tasks&quot;</p>"));
        assertTrue(page.contains("<tr><td>arc&lt;e&gt;</td><td>0.71</td><td>0.64</td></tr>"));
        assertTrue(page.contains("<td>hella&#39;swag</td>"));
        assertTrue(page.contains("<tr><td>dense</td><td>greedy</td><td>Điều 1.</td><td>Phạm &lt;vi&gt;</td></tr>\n"
                + "<tr><td>pruned</td>"), "consecutive samples share one table");
        assertFalse(page.contains("<b>") || page.contains("<e>") || page.contains("<wanda>") || page.contains("<vi>"));
        assertTrue(page.contains("<style>") && !page.contains("<link"), "CSS must be inline");
    }

    @Test
    void isSelfContained() throws IOException {
        String page = Files.readString(report().write(dir.resolve("report.html")));

        assertEquals(2, page.split("<svg", -1).length - 1, "one inline <svg> per figure");
        assertFalse(page.contains("<?xml") || page.contains("<img") || page.contains("src=") || page.contains("<script"));
        assertTrue(page.contains("Head importance (wanda)"), "chart title inside the embedded SVG");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.filter(p -> p.getFileName().toString().endsWith(".tmp")).count(),
                    "no temporary files left behind");
        }
    }

    @Test
    void everyInlineSvgHasItsOwnIdsAndReferencesThem() throws IOException {
        String page = HtmlReport.render(report().build());
        Set<String> ids = new HashSet<>();
        Matcher m = Pattern.compile("\\bid='([^']*)'").matcher(page);
        while (m.find()) {
            assertTrue(ids.add(m.group(1)), "id " + m.group(1) + " defined twice");
        }
        assertTrue(ids.stream().anyMatch(i -> i.startsWith("f1-")) && ids.stream().anyMatch(i -> i.startsWith("f2-")), ids.toString());
        Matcher ref = Pattern.compile("url\\(#([^)]*)\\)").matcher(page);
        int refs = 0;
        while (ref.find()) {
            assertTrue(ids.contains(ref.group(1)), "reference to undefined id " + ref.group(1));
            refs++;
        }
        assertTrue(refs > 0);
    }

    @Test
    void sectionsComeInPageOrderAndEmptyOnesAreLeftOut() throws IOException {
        String page = HtmlReport.render(report().build());
        String[] order = {"<h2>Summary</h2>", "<h2>How each number was measured</h2>", "<h2>Sensitivity", "<h2>Recovery</h2>",
            "<h2>Task accuracy</h2>", "<h2>Sample generations</h2>", "<h2>Recipe</h2>", "<h2>Manifest</h2>"};
        int at = -1;
        for (String heading : order) {
            int next = page.indexOf(heading);
            assertTrue(next > at, heading + " missing or out of order");
            at = next;
        }
        assertFalse(page.contains("<h2>Quality vs speed</h2>"), "no front was added");
        assertTrue(page.contains("<pre>prune:\n  ratio: 0.5\n</pre>"));
        assertFalse(HtmlReport.render(HtmlReport.builder("t").build()).contains("<h2>"));
    }

    @Test
    void sameInputSameBytes() throws IOException {
        assertEquals(HtmlReport.render(report().build()), HtmlReport.render(report().build()));
    }

    @Test
    void embeddingAMissingSvgNamesIt(@TempDir Path other) throws IOException {
        Path png = Files.copy(heatmap.png(), other.resolve("head-heatmap.png"));
        IOException e = assertThrows(IOException.class, () -> HtmlReport.Figure.read("heads", png));
        assertTrue(e.getMessage().contains("head-heatmap.svg"), e.getMessage());
    }

    @Test
    void aTableRowOfTheWrongWidthIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new HtmlReport.Table("t", List.of("a", "b"), List.of(List.of("1"))));
        assertTrue(e.getMessage().contains("row 0 has 1 cells but the header has 2"), e.getMessage());
    }
}
