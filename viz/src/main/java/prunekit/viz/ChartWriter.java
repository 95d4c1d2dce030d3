package prunekit.viz;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.svg.SVGGraphics2D;
import prunekit.core.io.AtomicFiles;

/**
 * Renders a chart to {@code STEM.png} and {@code STEM.svg}, each written under a temporary name and
 * renamed when complete. Rendering is headless.
 */
public final class ChartWriter {
    static {
        Headless.ensure(); // before any AWT class reads the property
    }

    private ChartWriter() {
    }

    /**
     * @param stem the output path without extension, e.g. {@code charts/head-heatmap}; its folder
     *             is created when missing
     */
    public static WrittenChart write(JFreeChart chart, Path stem, ChartSize size) throws IOException {
        if (chart == null || stem == null || size == null) {
            throw new IllegalArgumentException("chart, stem and size are required");
        }
        String name = stem.getFileName().toString();
        if (name.isBlank()) {
            throw new IllegalArgumentException("output stem has no file name: " + stem);
        }
        Path png = stem.resolveSibling(name + ".png");
        Path svg = stem.resolveSibling(name + ".svg");
        AtomicFiles.writeBytes(png, png(chart, size));
        AtomicFiles.writeString(svg, svg(chart, size));
        return new WrittenChart(png, svg);
    }

    /** The chart as PNG bytes. */
    public static byte[] png(JFreeChart chart, ChartSize size) throws IOException {
        BufferedImage image = chart.createBufferedImage(size.width(), size.height(), BufferedImage.TYPE_INT_RGB, null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(image, "png", out)) {
            throw new IOException("no PNG writer is available in this JVM (javax.imageio)");
        }
        return out.toByteArray();
    }

    /** The chart as a standalone SVG document. */
    public static String svg(JFreeChart chart, ChartSize size) {
        SVGGraphics2D g = new SVGGraphics2D(size.width(), size.height());
        g.setDefsKeyPrefix("pk"); // JFreeSVG's default prefix is time-based: same chart, different bytes
        chart.draw(g, new Rectangle(0, 0, size.width(), size.height()));
        return g.getSVGDocument();
    }
}
