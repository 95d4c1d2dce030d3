package prunekit.viz;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** HTML text escaping and inline SVG, for {@link HtmlReport}. */
final class Html {
    /** An id definition or a reference to one: {@code id='x'}, {@code url(#x)}, {@code href='#x'}. */
    private static final Pattern ID = Pattern.compile("(\\bid=['\"]|url\\(#|href=['\"]#)");

    private Html() {
    }

    /** Escapes text for use in element content and in quoted attribute values. */
    static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * The {@code <svg>} element of an SVG document, without XML prolog or doctype, every id and
     * reference to one prefixed with {@code prefix}: charts drawn by the same library reuse the same
     * ids ({@code clip-0}), and in one page the first definition would win for all of them.
     */
    static String inlineSvg(String document, String prefix) {
        int start = document.indexOf("<svg");
        if (start < 0) {
            throw new IllegalArgumentException("not an SVG document (no <svg> element)");
        }
        return ID.matcher(document.substring(start).strip()).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + prefix));
    }
}
