package prunekit.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command's --help renders as written: picocli warns (and prints the raw text) when a description holds a bare '%'. */
class HelpTextTest {
    @Test
    void everyCommandsHelpFormatsWithoutPicocliWarnings() {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        StringBuilder usage = new StringBuilder();
        Map<String, CommandLine> subcommands = PrunekitCli.commandLine().getSubcommands();
        assertTrue(subcommands.size() > 10, subcommands.keySet().toString());
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            subcommands.values().forEach(c -> usage.append(c.getUsageMessage()));
        } finally {
            System.setErr(err);
        }
        String warnings = captured.toString(StandardCharsets.UTF_8);
        assertFalse(warnings.contains("picocli WARN"), warnings);
        assertTrue(usage.toString().contains("--max-quality-loss 10%") && !usage.toString().contains("%%"), "a '%' is lost or doubled");
    }
}
