package prunekit.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.util.regex.Pattern;
import prunekit.core.PrunekitException;
import prunekit.core.io.IoErrors;

/**
 * How a failure reaches the user: one line on stderr and an exit code. prunekit's own errors
 * ({@link PrunekitException} and its subclasses), argument checks written in prunekit's code and file
 * system errors are the user's to fix (exit 2); anything else is a bug in prunekit (exit 1), reported in
 * one line with its stack trace only when {@code PRUNEKIT_DEBUG=1}.
 */
final class ErrorReport {
    private ErrorReport() {
    }

    /** A URL in parentheses of its own, with the "see" that introduces it. */
    private static final Pattern URL_IN_PARENS = Pattern.compile("\\s*\\(\\s*(?:[Ss]ee:?\\s*)?https?://[^\\s)]+\\s*\\)");
    /** A bare URL, with the "See"/"see" that introduces it. */
    private static final Pattern URL = Pattern.compile("\\s*(?:[Ss]ee:?\\s*)?https?://[^\\s)]+");
    /** A qualified class name a library put in front of its own message ("com.google.gson.stream.MalformedJsonException: "). */
    private static final Pattern CLASS_PREFIX = Pattern.compile("\\b(?:[a-z][a-z0-9_]*\\.)+[A-Z]\\w*(?:Exception|Error): ");

    /** Prints {@code e} for command {@code command} and returns the exit code. */
    static int print(Throwable e, String command, PrintWriter err) {
        int exit;
        if (isUserError(e)) {
            err.println("prunekit " + command + ": error: " + userMessage(e));
            exit = PrunekitCli.EXIT_BAD_INPUT;
        } else if (e instanceof OutOfMemoryError) {
            err.println("prunekit " + command + ": error: out of memory (Java heap at most "
                    + Runtime.getRuntime().maxMemory() / 1_000_000 + " MB); raise it with PRUNEKIT_JAVA_OPTS=-Xmx..."
                    + " or ask for less (smaller --batch, --samples or --ctx)");
            exit = PrunekitCli.EXIT_BAD_INPUT;
        } else {
            err.println("prunekit " + command + ": internal error: " + e.getClass().getSimpleName() + ": "
                    + oneLine(e.getMessage()) + "; this is a bug in prunekit; please report it"
                    + (debug() ? "" : " (PRUNEKIT_DEBUG=1 prints the stack trace)"));
            if (debug()) {
                e.printStackTrace(err);
            }
            exit = PrunekitCli.EXIT_FAILURE;
        }
        err.flush();
        return exit;
    }

    static boolean debug() {
        return "1".equals(System.getenv("PRUNEKIT_DEBUG"));
    }

    /**
     * prunekit's own errors, file system errors, and IllegalArgumentException thrown by a check in
     * prunekit's code (records that check themselves); an IllegalArgumentException from inside a library
     * is a bug.
     */
    static boolean isUserError(Throwable e) {
        if (e instanceof PrunekitException || e instanceof IOException || e instanceof UncheckedIOException) {
            return true;
        }
        if (e instanceof IllegalArgumentException) {
            StackTraceElement[] st = e.getStackTrace();
            return st.length > 0 && st[0].getClassName().startsWith("prunekit.");
        }
        return false;
    }

    private static String userMessage(Throwable e) {
        if (e instanceof FileSystemException fs && fs.getReason() == null) {
            return fs.getFile() + ": " + IoErrors.reason(fs) + (fs.getOtherFile() != null ? " (" + fs.getOtherFile() + ")" : "");
        }
        return oneLine(e.getMessage());
    }

    /** One line, with the URLs and class-name prefixes of third-party parser messages removed. */
    static String oneLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        String t = URL.matcher(URL_IN_PARENS.matcher(s).replaceAll("")).replaceAll("");
        t = CLASS_PREFIX.matcher(t).replaceAll("");
        return t.replaceAll("\\s*\\R\\s*", " ").replaceAll("\\(\\s*\\)", "").trim();
    }
}
