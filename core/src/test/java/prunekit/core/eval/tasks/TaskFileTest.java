package prunekit.core.eval.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** JSONL task files: good lines parse, every bad line fails naming FILE:LINE and what is wrong. */
class TaskFileTest {
    static final String GOOD = "{\"context\": \"Thủ đô là\", \"choices\": [\" Hà Nội\", \" Huế\"], \"gold\": 0}";

    @TempDir
    Path dir;

    @Test
    void readsItemsSkippingBlankLinesAndNamesTheTaskAfterTheFile() throws IOException {
        Path f = dir.resolve("capitals.jsonl");
        Files.writeString(f, GOOD + "\n\n" + GOOD.replace("\"gold\": 0", "\"gold\": 1") + "\n", StandardCharsets.UTF_8);
        TaskFile t = TaskFile.read(f);
        assertEquals("capitals", t.name());
        assertEquals(2, t.items().size());
        assertEquals(new TaskItem("Thủ đô là", List.of(" Hà Nội", " Huế"), 1), t.items().get(1));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"context\": \"a\", \"choices\": [\"b\", \"c\"]}                 | \"gold\" must be an integer",
        "{\"context\": \"a\", \"choices\": [\"b\", \"c\"], \"gold\": 2}     | gold 2 must index the choices: 0..1",
        "{\"context\": \"a\", \"choices\": [\"b\", \"c\"], \"gold\": 0.5}   | \"gold\" must be an integer",
        "{\"context\": \"a\", \"choices\": \"b\", \"gold\": 0}              | \"choices\" must be an array of strings",
        "{\"context\": \"a\", \"choices\": [\"b\"], \"gold\": 0}            | at least 2 strings",
        "{\"context\": \"a\", \"choices\": [\"b\", 3], \"gold\": 0}         | choice 1 must be a string",
        "{\"context\": \"a\", \"choices\": [\"b\", \"\"], \"gold\": 0}      | choice 1 is empty",
        "{\"choices\": [\"b\", \"c\"], \"gold\": 0}                         | \"context\" must be a string",
        "{\"context\": \"a\", \"choices\": [\"b\", \"c\"], \"answer\": 0}   | unknown key \"answer\"",
        "[1, 2]                                                             | not a JSON object",
        "{\"context\": \"a\", \"choices\": [\"b\", \"c\"], \"gold\": 0      | not valid JSON",
    })
    void aBadLineNamesFileLineAndWhatIsWrong(String line, String expected) throws IOException {
        Path f = dir.resolve("bad.jsonl");
        Files.writeString(f, GOOD + "\n" + line.strip() + "\n", StandardCharsets.UTF_8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TaskFile.read(f));
        assertTrue(e.getMessage().startsWith(f + ":2: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected.strip()), e.getMessage());
    }

    @Test
    void anEmptyFileIsRefused() throws IOException {
        Path f = dir.resolve("empty.jsonl");
        Files.writeString(f, "\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TaskFile.read(f));
        assertTrue(e.getMessage().contains("no items"), e.getMessage());
    }
}
