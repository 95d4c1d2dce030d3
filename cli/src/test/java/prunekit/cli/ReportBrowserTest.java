package prunekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.viz.ChannelImportanceChart;
import prunekit.viz.HeadHeatmap;
import prunekit.viz.HtmlReport;
import prunekit.viz.RecoveryChart;
import prunekit.viz.SweepTable;

/**
 * The report in a real browser (headless Chromium): every chart renders with a size, nothing is
 * fetched, no script error or console message; and the probes do catch a console error and a
 * failed load. The demo's own report is opened the same way by {@link DemoTest}.
 */
class ReportBrowserTest {
    private static final SweepTable SWEEP = new SweepTable(SweepTable.FORMAT, "valid.txt, whole file", null,
            new SweepTable.Configuration("dense", 15_000_000, 10.0, null, null, List.of(new SweepTable.TaskScore("cloze", 0.5))),
            List.of(new SweepTable.Configuration("a", 9_000_000, 12.0, 1.5, null, List.of(new SweepTable.TaskScore("cloze", 0.45))),
                    new SweepTable.Configuration("b", 5_000_000, 20.0, 2.5, null,
                            List.of(new SweepTable.TaskScore("cloze", 0.3)))));

    @Test
    void everySectionOfAReportRendersOffline(@TempDir Path dir) throws Exception {
        HeadlessChromium chromium = HeadlessChromium.require();
        Path html = HtmlReport.builder("browser check <ả>")
                .summary(new HtmlReport.SummaryRow("dense", 15_000_000L, 10.0, 300.0, 1.0))
                .protocol("perplexity: valid.txt, whole file")
                .front(SWEEP)
                .add(HtmlReport.Section.SENSITIVITY, HtmlReport.Figure.of("heads", new HeadHeatmap.Data(null, null, false,
                        List.of(List.of(0.1, 0.9, 0.5), List.of(0.3, 0.2, 0.8)), List.of(List.of(0), List.of()))))
                .add(HtmlReport.Section.SENSITIVITY, HtmlReport.Figure.of("channels", new ChannelImportanceChart.Data(null,
                        null, false, List.of(List.of(3.0, 1.0, 2.0, 5.0), List.of(0.5, 0.25, 0.1)))))
                .add(HtmlReport.Section.RECOVERY, HtmlReport.Figure.of("recovery", new RecoveryChart.Data(null, 10.0, 30.0,
                        false, List.of(new RecoveryChart.Run("kd", List.of(0.0, 1e4, 2e4), List.of(30.0, 15.0, 13.0))))))
                .add(HtmlReport.Section.GENERATIONS, new HtmlReport.Sample("dense", "Điều 1.", " Phạm vi", "greedy"))
                .manifest("{\"job\": \"demo\"}")
                .write(dir.resolve("report.html"));

        HeadlessChromium.Page page = chromium.open(html, dir);

        int figures = Files.readString(html).split("<svg", -1).length - 1;
        assertEquals(5, figures, "2 front charts (perplexity, cloze), 2 sensitivity, 1 recovery");
        assertRendered(page, figures);
    }

    @Test
    void theProbesCatchConsoleErrorsAndFailedLoads(@TempDir Path dir) throws Exception {
        HeadlessChromium chromium = HeadlessChromium.require();
        Path html = Files.writeString(dir.resolve("bad.html"), "<!DOCTYPE html><html><head><title>t</title></head><body>"
                + "<img src=\"missing.png\"><script>console.error('boom')</script></body></html>");

        HeadlessChromium.Page page = chromium.open(html, dir);

        assertTrue(page.errors().stream().anyMatch(e -> e.contains("boom")), page.errors().toString());
        assertTrue(page.errors().stream().anyMatch(e -> e.contains("missing.png")), page.errors().toString());
        assertTrue(page.console().stream().anyMatch(c -> c.contains("boom")), page.console().toString());
        assertEquals(1, page.externalReferences());
        assertEquals(0, page.svgSizes().size());
    }

    /** Every chart has a size, nothing was fetched or logged, and the screenshot is not blank. */
    static void assertRendered(HeadlessChromium.Page page, int figures) {
        assertEquals(figures, page.svgSizes().size(), "every <svg> is in the rendered page");
        for (int[] size : page.svgSizes()) {
            assertTrue(size[0] >= 200 && size[1] >= 100, "a chart rendered " + size[0] + " x " + size[1] + " px");
        }
        assertEquals(0, page.externalReferences(), "a self-contained page references no file");
        assertEquals(List.of(), page.errors());
        assertEquals(List.of(), page.console());
        BufferedImage shot = page.screenshot();
        assertTrue(shot != null && shot.getWidth() == 1100, "a screenshot was taken");
        assertFalse(blank(shot), "the screenshot shows something");
    }

    private static boolean blank(BufferedImage image) {
        int first = image.getRGB(0, 0);
        for (int y = 0; y < image.getHeight(); y += 7) {
            for (int x = 0; x < image.getWidth(); x += 7) {
                if (image.getRGB(x, y) != first) {
                    return false;
                }
            }
        }
        return true;
    }
}
