package prunekit.core.eval.tasks;

import java.util.Arrays;
import prunekit.core.eval.Prompts;
import prunekit.core.tokenize.Tokenizer;

/**
 * One log-likelihood request: {@code tokens} = BOS + the ids of context + continuation, and the
 * continuation is {@code tokens[start ..]}; its log-likelihood is the sum over positions
 * p = start-1 .. length-2 of log softmax(logits[p])[tokens[p + 1]].
 *
 * <p>The split follows lm-eval-harness: trailing spaces of the context move to the front of the
 * continuation, the whole string is encoded once, and the continuation's ids are the whole's ids
 * past the context's own encoding ({@code whole[len(encode(context)):]}). So SentencePiece's
 * leading space comes out right: "Việt" + " Nam" gives "▁Việt ▁Nam", and the continuation is
 * "▁Nam" (encoding " Nam" on its own would put SentencePiece's dummy-prefix space before its own
 * space). Unlike lm-eval's default for LLaMA, every sequence starts with BOS (the prefix lm-eval
 * uses for an empty context, and how our models saw every block in training and in the perplexity
 * protocol).
 */
public record Continuation(int[] tokens, int start) {
    public Continuation {
        if (start < 1 || start >= tokens.length) {
            throw new IllegalArgumentException("the continuation must be non-empty and follow at least BOS: start "
                    + start + " of " + tokens.length + " tokens");
        }
        tokens = tokens.clone();
    }

    /** Tokens scored. */
    public int length() {
        return tokens.length - start;
    }

    /** The lm-eval split of {@code continuation} after {@code context}. */
    public static Continuation encode(Tokenizer tok, String context, String continuation) {
        int trailing = context.length();
        while (trailing > 0 && context.charAt(trailing - 1) == ' ') {
            trailing--;
        }
        String ctx = context.substring(0, trailing);
        String cont = context.substring(trailing) + continuation;
        int[] tokens = Prompts.withBos(tok, ctx + cont);
        int ctxLen = ctx.isEmpty() ? 0 : tok.encode(ctx).length;
        if (ctxLen >= tokens.length - 1) {
            throw new IllegalArgumentException("the continuation \"" + continuation + "\" adds no tokens to its"
                    + " context (it merges into the context's last token); start it with a space or end the context earlier");
        }
        return new Continuation(tokens, 1 + ctxLen);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Continuation c && c.start == start && Arrays.equals(c.tokens, tokens);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(tokens) + start;
    }

    @Override
    public String toString() {
        return "Continuation" + Arrays.toString(tokens) + " from " + start;
    }
}
