package prunekit.core.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import prunekit.core.io.FormatException;
import prunekit.core.io.IoErrors;
import prunekit.core.tokenize.Tokenizer;

/**
 * Text files as one token stream, by the perplexity protocol of shared/README.md: each file (in
 * the order given) is split at blank lines ("\n\n"); every non-empty block contributes BOS and its
 * token ids. {@code utf8Bytes} counts the bytes of those blocks (for bits per byte). Line ends are
 * normalised first ({@link #normalizeNewlines}): a file saved with CRLF reads as the same text.
 */
public record TokenStream(int[] ids, long utf8Bytes, int blocks) {

    public static TokenStream of(List<Path> files, Tokenizer tokenizer) {
        IntList ids = new IntList(1 << 16);
        long bytes = 0;
        int blocks = 0;
        for (Path f : files) {
            String text;
            try {
                text = Files.readString(f, StandardCharsets.UTF_8);
            } catch (java.nio.charset.MalformedInputException e) {
                throw new FormatException(f, "not valid UTF-8 text; convert it to UTF-8 first", e);
            } catch (IOException e) {
                throw IoErrors.cannotRead(f, e);
            }
            for (String block : normalizeNewlines(text).split("\n\n", -1)) {
                if (block.isEmpty()) {
                    continue;
                }
                ids.addAll(Prompts.withBos(tokenizer, block));
                bytes += block.getBytes(StandardCharsets.UTF_8).length;
                blocks++;
            }
        }
        return new TokenStream(ids.toArray(), bytes, blocks);
    }

    /** {@code text} with every CRLF and lone CR turned into LF, as the protocol reads text. */
    public static String normalizeNewlines(String text) {
        return text.indexOf('\r') < 0 ? text : text.replace("\r\n", "\n").replace('\r', '\n');
    }

    /** Number of full windows of {@code ctx} inputs (+1 target) the stream holds. */
    public int windowCount(int ctx) {
        return Math.max(0, (ids.length - 1) / ctx);
    }

    /** Window i: S[i·ctx .. i·ctx+ctx] inclusive (ctx+1 tokens). */
    public int[] window(int i, int ctx) {
        int[] w = new int[ctx + 1];
        System.arraycopy(ids, i * ctx, w, 0, ctx + 1);
        return w;
    }

    /** A growable int array. */
    static final class IntList {
        private int[] a;
        private int n;

        IntList(int capacity) {
            a = new int[capacity];
        }

        void addAll(int[] v) {
            if (n + v.length > a.length) {
                a = java.util.Arrays.copyOf(a, Math.max(a.length * 2, n + v.length));
            }
            System.arraycopy(v, 0, a, n, v.length);
            n += v.length;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }
}
