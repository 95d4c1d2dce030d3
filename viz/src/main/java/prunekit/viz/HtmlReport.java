package prunekit.viz;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import prunekit.core.io.AtomicFiles;

/**
 * One self-contained {@code report.html} for a run: every chart is an inline SVG (its ids made
 * unique per figure, so that the clip paths of one chart never apply to another), CSS is inline,
 * nothing is linked, so the page opens offline from anywhere it is copied to. All text is
 * HTML-escaped. The output depends only on the input (no timestamps of its own) and is written
 * under a temporary name and renamed.
 *
 * <p>The page: the title, the summary table, "how each number was measured" (one line per
 * protocol, so that a perplexity in the table and one in a chart can be told apart), then the
 * {@link Section}s in their order, each shown only when something was added to it. Build it with
 * {@link #builder(String)}; every section is optional.
 */
public final class HtmlReport {
    private static final String DASH = "\u2014";
    private static final String CSS = """
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;\
            max-width:1000px;padding:0 1rem;color:#222;line-height:1.45}
            h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2.2rem;\
            border-bottom:1px solid #ddd;padding-bottom:.2rem}
            table{border-collapse:collapse;margin:.8rem 0;font-size:.95rem}
            th,td{border:1px solid #ddd;padding:.35rem .7rem;text-align:left;vertical-align:top}
            th{background:#f3f3f3}tr:nth-child(even) td{background:#fafafa}
            td.num{text-align:right;font-variant-numeric:tabular-nums}
            figure{margin:1.5rem 0}figure svg{max-width:100%;height:auto;border:1px solid #eee}
            figcaption,p.note{color:#555;font-size:.9rem;margin-top:.3rem}
            pre{background:#f6f6f6;border:1px solid #e3e3e3;padding:.6rem;overflow-x:auto;font-size:.85rem;\
            white-space:pre-wrap}
            """;

    private HtmlReport() {
    }

    /** The page's sections, in page order. */
    public enum Section {
        FRONT("Quality vs speed"),
        SENSITIVITY("Sensitivity: what the scorer found"),
        RECOVERY("Recovery"),
        TASKS("Task accuracy"),
        GENERATIONS("Sample generations"),
        TABLES("Tables"),
        RECIPE("Recipe"),
        MANIFEST("Manifest");

        public final String heading;

        Section(String heading) {
            this.heading = heading;
        }
    }

    /** One model in the summary table; null numbers print as a dash. */
    public record SummaryRow(String model, Long parameters, Double perplexity, Double tokensPerSecond, Double speedup) {
        public SummaryRow {
            model = Checks.text(model, "summary model name");
        }
    }

    /** Something a section shows. */
    public sealed interface Block permits Figure, Table, Text, Sample {
    }

    /** A chart as the text of its SVG document, and its caption. */
    public record Figure(String caption, String svg) implements Block {
        public Figure {
            caption = Checks.textOr(caption, "");
            if (svg == null || !svg.contains("<svg")) {
                throw new IllegalArgumentException("figure '" + caption + "' has no SVG document");
            }
        }

        /** A chart rendered in memory, at its size. */
        public static Figure of(String caption, ChartData data) {
            return new Figure(caption, ChartWriter.svg(data.toChart(), data.size()));
        }

        /** The SVG file beside a chart's PNG (or that SVG itself). */
        public static Figure read(String caption, Path image) throws IOException {
            String name = image.getFileName().toString();
            int dot = name.lastIndexOf('.');
            Path svg = image.resolveSibling((dot < 0 ? name : name.substring(0, dot)) + ".svg");
            if (!Files.isRegularFile(svg)) {
                throw new IOException("cannot embed figure '" + caption + "': no SVG at " + svg);
            }
            return new Figure(caption, Files.readString(svg, StandardCharsets.UTF_8));
        }
    }

    /** A titled table of text cells; every row has as many cells as the header. */
    public record Table(String title, List<String> header, List<List<String>> rows) implements Block {
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

    /** Preformatted text (a recipe, a manifest) under an optional caption. */
    public record Text(String caption, String text) implements Block {
        public Text {
            caption = Checks.textOr(caption, "");
            if (text == null) {
                throw new IllegalArgumentException("text block '" + caption + "' has no text");
            }
        }
    }

    /** One model's continuation of a prompt, and how it was decoded. */
    public record Sample(String model, String prompt, String continuation, String decoding) implements Block {
        public Sample {
            model = Checks.text(model, "sample model name");
            prompt = Checks.textOr(prompt, "");
            continuation = Checks.textOr(continuation, "");
            decoding = Checks.textOr(decoding, "");
        }
    }

    /** Everything on the page; {@code sections} maps each section to its blocks, in order. */
    public record Content(String title, List<SummaryRow> summary, List<String> protocols,
                          Map<Section, List<Block>> sections) {
        public Content {
            title = Checks.textOr(title, "prunekit report");
            summary = Checks.list(summary == null ? List.of() : summary, "summary");
            protocols = Checks.list(protocols == null ? List.of() : protocols, "protocols");
            EnumMap<Section, List<Block>> copy = new EnumMap<>(Section.class);
            (sections == null ? Map.<Section, List<Block>>of() : sections)
                    .forEach((s, blocks) -> copy.put(s, Checks.list(blocks, "section " + s)));
            sections = Collections.unmodifiableMap(copy);
        }
    }

    public static Builder builder(String title) {
        return new Builder(title);
    }

    /** Collects the page; every part is optional, sections come out in {@link Section} order. */
    public static final class Builder {
        private final String title;
        private final List<SummaryRow> summary = new ArrayList<>();
        private final List<String> protocols = new ArrayList<>();
        private final EnumMap<Section, List<Block>> sections = new EnumMap<>(Section.class);

        private Builder(String title) {
            this.title = title;
        }

        public Builder summary(SummaryRow row) {
            summary.add(row);
            return this;
        }

        /** A line of "how each number was measured", e.g. {@code "perplexity: legal-valid.txt, ..."}. */
        public Builder protocol(String line) {
            protocols.add(Checks.text(line, "protocol line"));
            return this;
        }

        public Builder add(Section section, Block block) {
            if (section == null || block == null) {
                throw new IllegalArgumentException("a report block needs a section and content");
            }
            sections.computeIfAbsent(section, s -> new ArrayList<>()).add(block);
            return this;
        }

        /** The front: the perplexity chart for each runtime measured, one per task, and the table. */
        public Builder front(SweepTable sweep) {
            for (SweepTable.Runtime r : sweep.runtimes()) {
                add(Section.FRONT, Figure.of("Held-out perplexity (" + sweep.protocol() + ") against the measured "
                        + r.label + " speedup; dashed: the Pareto front", sweep.perplexityFront(r)));
                for (String task : sweep.tasks()) {
                    add(Section.FRONT, Figure.of(task + " accuracy against the measured " + r.label + " speedup",
                            sweep.accuracyFront(task, r)));
                }
            }
            return add(Section.FRONT, sweep.table());
        }

        /** The run's recipe (YAML or any text), when there is one. */
        public Builder recipe(String text) {
            return text == null ? this : add(Section.RECIPE, new Text("", text));
        }

        /** The run's manifest (JSON text), when there is one. */
        public Builder manifest(String json) {
            return json == null ? this : add(Section.MANIFEST, new Text("", json));
        }

        /** The zero-shot task accuracies, when tasks were evaluated. */
        public Builder tasks(Table table) {
            return table == null ? this : add(Section.TASKS, table);
        }

        public Content build() {
            return new Content(title, summary, protocols, new EnumMap<>(sections));
        }

        public Path write(Path htmlFile) throws IOException {
            return HtmlReport.write(build(), htmlFile);
        }
    }

    /** Writes the report (temporary name, then rename). */
    public static Path write(Content content, Path htmlFile) throws IOException {
        AtomicFiles.writeString(htmlFile, render(content));
        return htmlFile;
    }

    /** The page's HTML. */
    public static String render(Content content) {
        StringBuilder html = new StringBuilder(1 << 16);
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(Html.escape(content.title())).append("</title>\n")
                .append("<style>\n").append(CSS).append("</style>\n</head>\n<body>\n")
                .append("<h1>").append(Html.escape(content.title())).append("</h1>\n");
        if (!content.summary().isEmpty()) {
            html.append("<h2>Summary</h2>\n");
            summary(html, content.summary());
        }
        if (!content.protocols().isEmpty()) {
            html.append("<h2>How each number was measured</h2>\n<ul>\n");
            content.protocols().forEach(p -> html.append("<li>").append(Html.escape(p)).append("</li>\n"));
            html.append("</ul>\n");
        }
        int figures = 0;
        for (Map.Entry<Section, List<Block>> section : content.sections().entrySet()) {
            html.append("<h2>").append(Html.escape(section.getKey().heading)).append("</h2>\n");
            List<Sample> samples = new ArrayList<>();
            for (Block block : section.getValue()) {
                if (block instanceof Sample s) {
                    samples.add(s);
                    continue;
                }
                samples(html, samples);
                if (block instanceof Figure f) {
                    figure(html, f, ++figures);
                } else if (block instanceof Table t) {
                    titledTable(html, t);
                } else {
                    text(html, (Text) block);
                }
            }
            samples(html, samples);
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

    private static void titledTable(StringBuilder html, Table table) {
        if (!table.title().isEmpty()) {
            html.append("<p class=\"note\">").append(Html.escape(table.title())).append("</p>\n");
        }
        table(html, table.header(), table.rows(), new boolean[table.header().size()]);
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

    /** Consecutive samples as one table: model, decoding, prompt, continuation. */
    private static void samples(StringBuilder html, List<Sample> samples) {
        if (samples.isEmpty()) {
            return;
        }
        table(html, List.of("model", "decoding", "prompt", "continuation"), samples.stream()
                .map(s -> List.of(s.model(), s.decoding(), s.prompt(), s.continuation())).toList(), new boolean[4]);
        samples.clear();
    }

    private static void text(StringBuilder html, Text text) {
        if (!text.caption().isEmpty()) {
            html.append("<p class=\"note\">").append(Html.escape(text.caption())).append("</p>\n");
        }
        html.append("<pre>").append(Html.escape(text.text())).append("</pre>\n");
    }

    private static void figure(StringBuilder html, Figure figure, int index) {
        html.append("<figure>\n").append(Html.inlineSvg(figure.svg(), "f" + index + "-")).append('\n')
                .append("<figcaption>").append(Html.escape(figure.caption())).append("</figcaption>\n</figure>\n");
    }

    /** A parameter count as {@code 6.74 B}, {@code 15.0 M} or {@code 12,345}; a dash for null. */
    public static String parameters(Long count) {
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
