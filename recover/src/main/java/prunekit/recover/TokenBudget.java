package prunekit.recover;

import prunekit.core.model.Counts;

/**
 * How long a recovery run trains: a number of tokens ({@code 2M}, {@code 500K}, {@code 1.5B} or a
 * plain count) turned into whole optimizer steps of {@code batch × seq} target tokens, rounded up
 * so that at least the tokens asked for are seen.
 */
public final class TokenBudget {
    private TokenBudget() {
    }

    /** Parses a token count ({@link Counts}: {@code 2M}, {@code 0.25m}, {@code 500K}, {@code 1.5B}, {@code 250_000}); at least 1. */
    public static long parseTokens(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a token budget is required, e.g. 2M, 500K or 250000");
        }
        long tokens = Counts.parse(text).orElseThrow(() -> new IllegalArgumentException("cannot read the token budget '"
                + text + "': use a number with an optional K, M or B suffix, e.g. 2M"));
        if (tokens < 1) {
            throw new IllegalArgumentException("token budget '" + text + "' must be at least 1 token");
        }
        return tokens;
    }

    /** Steps that see at least {@code tokens} tokens at {@code tokensPerStep} per step (at least 1). */
    public static int steps(long tokens, long tokensPerStep) {
        if (tokens < 1 || tokensPerStep < 1) {
            throw new IllegalArgumentException("tokens (" + tokens + ") and tokens per step (" + tokensPerStep
                    + ") must be positive");
        }
        long steps = (tokens + tokensPerStep - 1) / tokensPerStep;
        if (steps > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(tokens + " tokens at " + tokensPerStep + " per step is more than "
                    + Integer.MAX_VALUE + " steps; use a larger batch");
        }
        return (int) steps;
    }
}
