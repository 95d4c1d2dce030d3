package prunekit.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report escapes every text, formats the summary, and references or embeds every chart. */
class HtmlReportTest {
    @TempDir
    static Path dir;
    private static WrittenChart heatmap;
    private static WrittenChart sweep;

    /** Charts are rendered once; the test that deletes an SVG renders its own copy. */
    @BeforeAll
    static void renderCharts() throws IOException {
        heatmap = Charts.write(ChartFixtures.heatmap(), dir.resolve("charts/head-heatmap"));
        sweep = Charts.write(ChartFixtures.keepRatio(), dir.resolve("my charts/keep ratio"));
    }

    private static HtmlReport.Content content() {
        return content(heatmap);
    }

    private static HtmlReport.Content content(WrittenChart heatmap) {
        return new HtmlReport.Content("VinaLLaMA <7B> → 2.7B", List.of(
                new HtmlReport.SummaryRow("dense <b>7B</b>", 6_738_415_616L, 8.9012, 31.25, 1.0),
                new HtmlReport.SummaryRow("pruned & recovered", 2_700_000_000L, 11.4, 71.9, 2.3),
                new HtmlReport.SummaryRow("tiny", 15_000_000L, null, null, null)),
                List.of(HtmlReport.Figure.of("Head importance <wanda>", heatmap),
                        HtmlReport.Figure.of("Perplexity vs keep ratio", sweep)),
                List.of(new HtmlReport.Table("Zero-shot \"tasks\"", List.of("task", "dense", "pruned"),
                        List.of(List.of("arc<e>", "0.71", "0.64"), List.of("hella'swag", "0.55", "0.49")))));
    }

    @Test
    void escapesAllTextAndFormatsTheSummary() throws IOException {
        Path html = HtmlReport.write(content(), dir.resolve("report.html"), HtmlReport.Images.LINK);
        String page = Files.readString(html);

        assertTrue(page.startsWith("<!DOCTYPE html>"));
        assertTrue(page.contains("<title>VinaLLaMA &lt;7B&gt; → 2.7B</title>"));
        assertTrue(page.contains("<td>dense &lt;b&gt;7B&lt;/b&gt;</td><td class=\"num\">6.74 B</td>"
                + "<td class=\"num\">8.90</td><td class=\"num\">31.3</td><td class=\"num\">1.00×</td>"), page);
        assertTrue(page.contains("<td>pruned &amp; recovered</td><td class=\"num\">2.70 B</td>"));
        assertTrue(page.contains("<td>tiny</td><td class=\"num\">15.0 M</td><td class=\"num\">—</td>"));
        assertTrue(page.contains("<h2>Zero-shot &quot;tasks&quot;</h2>"));
        assertTrue(page.contains("<tr><td>arc&lt;e&gt;</td><td>0.71</td><td>0.64</td></tr>"));
        assertTrue(page.contains("<td>hella&#39;swag</td>"));
        assertFalse(page.contains("<b>") || page.contains("<e>") || page.contains("<wanda>"));
        assertTrue(page.contains("<style>") && !page.contains("<link"), "CSS must be inline");
    }

    @Test
    void linksEachChartRelativelyWithItsSvg() throws IOException {
        String page = Files.readString(HtmlReport.write(content(), dir.resolve("report.html"), HtmlReport.Images.LINK));

        assertTrue(page.contains("<img src=\"charts/head-heatmap.png\" alt=\"Head importance &lt;wanda&gt;\">"), page);
        assertTrue(page.contains("<a href=\"charts/head-heatmap.svg\">SVG</a>"));
        assertTrue(page.contains("<img src=\"my%20charts/keep%20ratio.png\""), page);
        assertTrue(page.contains("<a href=\"my%20charts/keep%20ratio.svg\">SVG</a>"));
    }

    @Test
    void linksFromASubfolderGoUp() throws IOException {
        String page = HtmlReport.render(content(), dir.resolve("report"), HtmlReport.Images.LINK);
        assertTrue(page.contains("src=\"../charts/head-heatmap.png\""));
    }

    @Test
    void embedsEachSvgInline() throws IOException {
        Path html = HtmlReport.write(content(), dir.resolve("report.html"), HtmlReport.Images.EMBED_SVG);
        String page = Files.readString(html);

        assertEquals(2, page.split("<svg", -1).length - 1, "one inline <svg> per figure");
        assertFalse(page.contains("<?xml") || page.contains("<img"));
        assertTrue(page.contains("Head importance (wanda)"), "chart title inside the embedded SVG");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.filter(p -> p.getFileName().toString().endsWith(".tmp")).count(),
                    "no temporary files left behind");
        }
    }

    @Test
    void embeddingAMissingSvgNamesIt(@TempDir Path other) throws IOException {
        Files.createDirectories(other.resolve("charts"));
        Path png = Files.copy(heatmap.png(), other.resolve("charts/head-heatmap.png"));
        WrittenChart withoutSvg = new WrittenChart(png, other.resolve("charts/head-heatmap.svg"));
        IOException e = assertThrows(IOException.class,
                () -> HtmlReport.render(content(withoutSvg), other, HtmlReport.Images.EMBED_SVG));
        assertTrue(e.getMessage().contains("head-heatmap.svg"), e.getMessage());
    }

    @Test
    void aTableRowOfTheWrongWidthIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new HtmlReport.Table("t", List.of("a", "b"), List.of(List.of("1"))));
        assertTrue(e.getMessage().contains("row 0 has 1 cells but the header has 2"), e.getMessage());
    }
}
