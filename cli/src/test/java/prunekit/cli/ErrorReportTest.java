package prunekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;
import prunekit.core.PrunekitException;
import prunekit.core.io.FormatException;

/** How failures reach the user: prunekit's own errors as one line (exit 2), anything else as a bug to report (exit 1). */
class ErrorReportTest {
    private static String[] print(Throwable e, int expectedExit) {
        StringWriter s = new StringWriter();
        assertEquals(expectedExit, ErrorReport.print(e, "eval", new PrintWriter(s)), s.toString());
        return s.toString().strip().split("\n");
    }

    @Test
    void prunekitErrorsAreOneLineWithoutThirdPartyUrls() {
        String[] l = print(new FormatException(java.nio.file.Path.of("config.json"), "not JSON (com.google.gson.stream."
                + "MalformedJsonException: Unterminated object at line 3 column 2 path $.a\nSee https://github.com/google/"
                + "gson/blob/main/Troubleshooting.md#malformed-json)"), PrunekitCli.EXIT_BAD_INPUT);
        assertEquals(1, l.length);
        assertEquals("prunekit eval: error: config.json: not JSON (Unterminated object at line 3 column 2 path $.a)", l[0]);
        assertEquals("prunekit eval: error: x.txt: no such file or directory",
                print(new NoSuchFileException("x.txt"), PrunekitCli.EXIT_BAD_INPUT)[0]);
        assertTrue(print(new PrunekitException("--batch 0"), 2)[0].endsWith("error: --batch 0"));
    }

    @Test
    void anythingElseIsABugToReportInOneLine() {
        String[] l = print(new NullPointerException("boom"), PrunekitCli.EXIT_FAILURE);
        assertEquals(1, l.length, String.join("\n", l));
        assertTrue(l[0].startsWith("prunekit eval: internal error: NullPointerException: boom; this is a bug in prunekit;"
                + " please report it"), l[0]);
        assertFalse(l[0].contains("\tat "));
        // an IllegalArgumentException thrown inside a library, not by a prunekit check, is a bug too
        IllegalArgumentException lib = new IllegalArgumentException("bad");
        lib.setStackTrace(new StackTraceElement[] {new StackTraceElement("com.lib.X", "f", "X.java", 1)});
        assertEquals(PrunekitCli.EXIT_FAILURE, ErrorReport.print(lib, "eval", new PrintWriter(new StringWriter())));
    }
}
