package prunekit.viz;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import prunekit.core.io.AtomicFiles;

/**
 * One self-contained {@code report.html} for a run: a summary table (model, parameters, perplexity,
 * tokens/s, speedup), the charts, and any further tables. CSS is inline; charts are either linked
 * relatively as PNG (with a link to the SVG beside it) or embedded as inline SVG, so the page opens
 * from disk without a server. All text is HTML-escaped. The output depends only on the input (no
 * timestamps), and is written under a temporary name and renamed.
 */
public final class HtmlReport {
    private static final String DASH = "\u2014";
    private static final String CSS = """
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;\
            max-width:1000px;padding:0 1rem;color:#222;line-height:1.45}
            h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2.2rem;\
            border-bottom:1px solid #ddd;padding-bottom:.2rem}
            table{border-collapse:collapse;margin:.8rem 0;font-size:.95rem}
            th,td{border:1px solid #ddd;padding:.35rem .7rem;text-align:left}
            th{background:#f3f3f3}tr:nth-child(even) td{background:#fafafa}
            td.num{text-align:right;font-variant-numeric:tabular-nums}
            figure{margin:1.5rem 0}figure img,figure svg{max-width:100%;height:auto;border:1px solid #eee}
            figcaption{color:#555;font-size:.9rem;margin-top:.3rem}
            """;

    private HtmlReport() {
    }

    /** How chart images get into the page. */
    public enum Images {
        /** {@code <img src="charts/x.png">}, relative to the report, with a link to the SVG beside it. */
        LINK,
        /** The SVG beside each image, inlined: one file holds everything. */
        EMBED_SVG
    }

    /** One model in the summary table; null numbers print as a dash. */
    public record SummaryRow(String model, Long parameters, Double perplexity, Double tokensPerSecond, Double speedup) {
        public SummaryRow {
            model = Checks.text(model, "summary model name");
        }
    }

    /** A chart image (PNG or SVG path) and its caption. */
    public record Figure(String caption, Path image) {
        public Figure {
            caption = Checks.textOr(caption, "");
            if (image == null) {
                throw new IllegalArgumentException("figure '" + caption + "' has no image path");
            }
        }

        /** The figure for a rendered chart (its PNG; the SVG is found beside it). */
        public static Figure of(String caption, WrittenChart chart) {
            return new Figure(caption, chart.png());
        }
    }

    /** A titled table of text cells; every row has as many cells as the header. */
    public record Table(String title, List<String> header, List<List<String>> rows) {
        public Table {
            title = Checks.textOr(title, "");
            header = Checks.list(header, "table '" + title + "': header");
            List<List<String>> outer = Checks.list(rows, "table '" + title + "': rows");
            List<List<String>> copy = new ArrayList<>(outer.size());
            for (int i = 0; i < outer.size(); i++) {
                List<String> row = Checks.list(outer.get(i), "table '" + title + "': row " + i);
                if (row.size() != header.size()) {
                    throw new IllegalArgumentException("table '" + title + "': row " + i + " has " + row.size()
                            + " cells but the header has " + header.size());
                }
                copy.add(row);
            }
            rows = List.copyOf(copy);
        }
    }

    /** Everything on the page; empty sections are left out. */
    public record Content(String title, List<SummaryRow> summary, List<Figure> figures, List<Table> tables) {
        public Content {
            title = Checks.textOr(title, "prunekit report");
            summary = Checks.list(summary == null ? List.of() : summary, "summary");
            figures = Checks.list(figures == null ? List.of() : figures, "figures");
            tables = Checks.list(tables == null ? List.of() : tables, "tables");
        }
    }

    /** Writes the report; image paths are made relative to the report's folder. */
    public static Path write(Content content, Path htmlFile, Images images) throws IOException {
        Path dir = htmlFile.toAbsolutePath().getParent();
        AtomicFiles.writeString(htmlFile, render(content, dir, images));
        return htmlFile;
    }

    /** The page's HTML, with links relative to {@code htmlDir}. */
    public static String render(Content content, Path htmlDir, Images images) throws IOException {
        StringBuilder html = new StringBuilder(8192);
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(Html.escape(content.title())).append("</title>\n")
                .append("<style>\n").append(CSS).append("</style>\n</head>\n<body>\n")
                .append("<h1>").append(Html.escape(content.title())).append("</h1>\n");
        if (!content.summary().isEmpty()) {
            html.append("<h2>Summary</h2>\n");
            summary(html, content.summary());
        }
        if (!content.figures().isEmpty()) {
            html.append("<h2>Charts</h2>\n");
            for (Figure figure : content.figures()) {
                figure(html, figure, htmlDir, images);
            }
        }
        for (Table table : content.tables()) {
            if (!table.title().isEmpty()) {
                html.append("<h2>").append(Html.escape(table.title())).append("</h2>\n");
            }
            table(html, table.header(), table.rows(), new boolean[table.header().size()]);
        }
        return html.append("</body>\n</html>\n").toString();
    }

    private static void summary(StringBuilder html, List<SummaryRow> rows) {
        List<String> header = List.of("model", "parameters", "perplexity", "tokens/s", "speedup");
        List<List<String>> cells = rows.stream().map(r -> List.of(r.model(), parameters(r.parameters()),
                number(r.perplexity(), "%.2f"), number(r.tokensPerSecond(), "%.1f"),
                r.speedup() == null ? DASH : String.format(Locale.ROOT, "%.2f\u00d7", r.speedup()))).toList();
        table(html, header, cells, new boolean[] {false, true, true, true, true});
    }

    private static void table(StringBuilder html, List<String> header, List<List<String>> rows, boolean[] numeric) {
        html.append("<table>\n<thead><tr>");
        for (String h : header) {
            html.append("<th>").append(Html.escape(h)).append("</th>");
        }
        html.append("</tr></thead>\n<tbody>\n");
        for (List<String> row : rows) {
            html.append("<tr>");
            for (int c = 0; c < row.size(); c++) {
                html.append(numeric[c] ? "<td class=\"num\">" : "<td>").append(Html.escape(row.get(c))).append("</td>");
            }
            html.append("</tr>\n");
        }
        html.append("</tbody>\n</table>\n");
    }

    private static void figure(StringBuilder html, Figure figure, Path htmlDir, Images images) throws IOException {
        Path svg = svgOf(figure.image());
        html.append("<figure>\n");
        if (images == Images.EMBED_SVG) {
            if (!Files.isRegularFile(svg)) {
                throw new IOException("cannot embed figure '" + figure.caption() + "': no SVG at " + svg);
            }
            html.append(inlineSvg(Files.readString(svg, StandardCharsets.UTF_8), svg)).append('\n');
        } else {
            html.append("<img src=\"").append(Html.relativeUrl(htmlDir, figure.image()))
                    .append("\" alt=\"").append(Html.escape(figure.caption())).append("\">\n");
        }
        html.append("<figcaption>").append(Html.escape(figure.caption()));
        if (images == Images.LINK && Files.isRegularFile(svg) && !svg.equals(figure.image())) {
            html.append(" (<a href=\"").append(Html.relativeUrl(htmlDir, svg)).append("\">SVG</a>)");
        }
        html.append("</figcaption>\n</figure>\n");
    }

    /** {@code x.png} → {@code x.svg}; an SVG path is itself. */
    static Path svgOf(Path image) {
        String name = image.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot < 0 ? name : name.substring(0, dot);
        return image.resolveSibling(stem + ".svg");
    }

    /** The {@code <svg>} element of an SVG document, without XML prolog or doctype. */
    private static String inlineSvg(String document, Path file) throws IOException {
        int start = document.indexOf("<svg");
        if (start < 0) {
            throw new IOException("not an SVG document (no <svg> element): " + file);
        }
        return document.substring(start).strip();
    }

    private static String parameters(Long count) {
        if (count == null) {
            return DASH;
        } else if (count >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.2f B", count / 1e9);
        } else if (count >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.1f M", count / 1e6);
        }
        return String.format(Locale.ROOT, "%,d", count);
    }

    private static String number(Double value, String format) {
        return value == null ? DASH : String.format(Locale.ROOT, format, value);
    }
}
