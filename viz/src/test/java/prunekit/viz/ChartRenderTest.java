package prunekit.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;

/**
 * Every chart renders to a PNG of the chart's size with real content (not blank) and to a
 * well-formed SVG that carries the title, leaving no temporary files behind.
 */
class ChartRenderTest {
    @TempDir
    Path dir;

    static Stream<Arguments> fixtures() {
        return ChartFixtures.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void rendersPngAndSvg(String name, ChartData data) throws Exception {
        WrittenChart written = Charts.write(data, dir.resolve("out").resolve(data.kind().id()));

        assertEquals(List.of(data.kind().id() + ".png", data.kind().id() + ".svg"), fileNames(dir.resolve("out")));
        checkPng(written.png(), data.size());
        checkSvg(written.svg(), data.title());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void theSameChartGivesTheSameBytes(String name, ChartData data) throws Exception {
        WrittenChart a = Charts.write(data, dir.resolve("a").resolve(data.kind().id()));
        Thread.sleep(2); // the SVG library's default id prefix came from the clock
        WrittenChart b = Charts.write(data, dir.resolve("b").resolve(data.kind().id()));
        assertEquals(Files.readString(a.svg()), Files.readString(b.svg()));
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(a.png()), Files.readAllBytes(b.png())));
    }

    @Test
    void overwritesAnExistingChart() throws IOException {
        ChartData small = ChartFixtures.kept();
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("chart.png"), "old");
        Files.writeString(dir.resolve("chart.svg"), "old");
        Charts.write(small, dir.resolve("chart"));
        assertEquals(List.of("chart.png", "chart.svg"), fileNames(dir));
        assertTrue(Files.size(dir.resolve("chart.png")) > 1000);
    }

    private static void checkPng(Path png, ChartSize size) throws IOException {
        BufferedImage image;
        try (InputStream in = Files.newInputStream(png)) {
            image = ImageIO.read(in);
        }
        assertNotNull(image, "PNG does not decode: " + png);
        assertEquals(size.width(), image.getWidth(), "PNG width");
        assertEquals(size.height(), image.getHeight(), "PNG height");
        int[] rgb = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
        BitSet colours = new BitSet(1 << 24);
        long nonWhite = 0;
        for (int pixel : rgb) {
            colours.set(pixel & 0xFFFFFF);
            nonWhite += (pixel & 0xFFFFFF) == 0xFFFFFF ? 0 : 1;
        }
        assertTrue(colours.cardinality() >= 12, "PNG looks blank: only " + colours.cardinality() + " colours");
        assertTrue(nonWhite > 0.02 * rgb.length, "PNG is almost all white");
    }

    private static void checkSvg(Path svg, String title) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document document = factory.newDocumentBuilder().parse(svg.toFile());
        assertEquals("svg", document.getDocumentElement().getTagName());
        assertTrue(document.getDocumentElement().getTextContent().contains(title), "SVG text lacks '" + title + "'");
    }

    private static List<String> fileNames(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
