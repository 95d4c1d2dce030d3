package prunekit.viz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Tick values and labels of the token and log axes, and the thinning of long series. */
class AxisFormatTest {
    @ParameterizedTest
    @CsvSource({"0, 0", "500, 500", "12500, 12.5k", "2000000, 2M", "250000000, 250M", "1500000000, 1.5B",
        "20000000000, 20B", "1e12, 1T", "1234567, 1.23M"})
    void tokenCountsReadAsSpoken(double tokens, String expected) {
        assertEquals(expected, TokenFormat.tokens(tokens));
    }

    @Test
    void logTicksUseTheDensestReadableMantissas() {
        assertEquals(List.of("9", "10", "20", "30", "40"), labels(PlainLogAxis.tickValues(8.5, 45, 10)));
        assertEquals(List.of("10", "20", "50", "100", "200"), labels(PlainLogAxis.tickValues(8, 250, 5)));
        assertEquals(List.of("0.01", "0.1", "1", "10", "100"), labels(PlainLogAxis.tickValues(0.005, 300, 5)));
        assertEquals(List.of("1e-8", "0.0001", "1", "10000"), labels(PlainLogAxis.tickValues(1e-9, 1e5, 4)));
    }

    @Test
    void aRangeInsideOneMantissaStepGetsEvenTicks() {
        assertEquals(List.of("12", "13", "14", "15", "16", "17", "18"), labels(PlainLogAxis.tickValues(11.5, 18.5, 10)));
    }

    @Test
    void downsamplingKeepsBothEndsAndShortSeries() {
        assertArrayEquals(new int[] {0, 3, 6, 9}, Downsample.indices(10, 4));
        assertArrayEquals(new int[] {0, 1, 2}, Downsample.indices(3, 400));
        assertArrayEquals(new int[] {}, Downsample.indices(0, 400));
    }

    private static List<String> labels(List<BigDecimal> values) {
        return values.stream().map(PlainLogAxis::label).toList();
    }
}
