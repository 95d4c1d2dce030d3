package prunekit.viz;

import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.Locale;

/**
 * Formats token counts for axis ticks the way people say them: {@code 0, 500, 12.5k, 250M, 1.5B}.
 */
final class TokenFormat extends NumberFormat {
    private static final long serialVersionUID = 1L;

    static String tokens(double tokens) {
        double abs = Math.abs(tokens);
        if (abs >= 1e12) {
            return trim(tokens / 1e12) + "T";
        } else if (abs >= 1e9) {
            return trim(tokens / 1e9) + "B";
        } else if (abs >= 1e6) {
            return trim(tokens / 1e6) + "M";
        } else if (abs >= 1e3) {
            return trim(tokens / 1e3) + "k";
        }
        return trim(tokens);
    }

    private static String trim(double value) {
        String text = String.format(Locale.ROOT, "%.2f", value);
        text = text.replaceAll("0+$", "").replaceAll("\\.$", "");
        return text.equals("-0") ? "0" : text;
    }

    @Override
    public StringBuffer format(double number, StringBuffer toAppendTo, FieldPosition pos) {
        return toAppendTo.append(tokens(number));
    }

    @Override
    public StringBuffer format(long number, StringBuffer toAppendTo, FieldPosition pos) {
        return toAppendTo.append(tokens((double) number));
    }

    @Override
    public Number parse(String source, ParsePosition parsePosition) {
        throw new UnsupportedOperationException("TokenFormat only formats");
    }
}
