package prunekit.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The one count rule that parameter and token budgets share. */
class CountsTest {
    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {"2.7B; 2700000000", "500M; 500000000", "0.25m; 250000", "12k; 12000",
        "1.5T; 1500000000000", "7G; 7000000000", "1,024; 1024", "250_000; 250000", " 42 ; 42", "1e6; 1000000",
        "0.5; 1", "2.4999; 2", "-3M; -3000000"})
    void readsWhatPeopleWrite(String text, long count) {
        assertEquals(count, Counts.parse(text).getAsLong());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "M", "lots", "2X", "1.2.3", "99999999999T", "NaN"})
    void isEmptyForWhatIsNotACount(String text) {
        assertTrue(Counts.parse(text).isEmpty(), text);
    }
}
