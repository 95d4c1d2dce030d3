package prunekit.core.model;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Counts as people write them, one rule for every option that takes one (parameters, tokens): {@code 2.7B},
 * {@code 500M}, {@code 0.25m}, {@code 12k}, {@code 1.5T}, {@code 1,024}, {@code 250_000} or a plain number;
 * K = 10³, M = 10⁶, B or G = 10⁹, T = 10¹², case-insensitive.
 */
public final class Counts {
    private Counts() {
    }

    /** The count {@code text} names, rounded half up to a whole number; empty when it is none (the caller says what it wanted). */
    public static OptionalLong parse(String text) {
        if (text == null) {
            return OptionalLong.empty();
        }
        String t = text.trim().toUpperCase(Locale.ROOT).replace("_", "").replace(",", "");
        int power = t.isEmpty() ? 0 : switch (t.charAt(t.length() - 1)) {
            case 'K' -> 3;
            case 'M' -> 6;
            case 'B', 'G' -> 9;
            case 'T' -> 12;
            default -> 0;
        };
        if (power > 0) {
            t = t.substring(0, t.length() - 1);
        }
        try {
            return OptionalLong.of(new BigDecimal(t).scaleByPowerOfTen(power).setScale(0, RoundingMode.HALF_UP)
                    .longValueExact());
        } catch (NumberFormatException | ArithmeticException e) {
            return OptionalLong.empty();
        }
    }
}
