package prunekit.viz;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** HTML text escaping and relative links, for {@link HtmlReport}. */
final class Html {
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
     * A relative URL from {@code dir} to {@code file} with '/' separators, percent-encoded where
     * needed (spaces, non-ASCII) and escaped for an attribute.
     */
    static String relativeUrl(Path dir, Path file) {
        Path relative = dir.toAbsolutePath().normalize().relativize(file.toAbsolutePath().normalize());
        String path = relative.toString().replace(java.io.File.separatorChar, '/');
        try {
            return escape(new URI(null, null, path, null).toASCIIString());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("cannot link to " + file + " from " + dir + ": " + e.getMessage(), e);
        }
    }
}
