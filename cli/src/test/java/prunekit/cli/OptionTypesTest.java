package prunekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import prunekit.core.model.DType;
import prunekit.export.onnx.OnnxFile;
import prunekit.prune.budget.AttentionUnit;
import prunekit.prune.budget.Budget;
import prunekit.prune.group.GroupKind;
import prunekit.prune.score.ScorerName;

/** Fixed-value options are enums parsed by the enums' own parsers, the same in every command. */
class OptionTypesTest {
    private static <T> T parse(T command, String... args) {
        CommandLine cl = new CommandLine(command);
        EnumConverters.register(cl);
        cl.parseArgs(args);
        return command;
    }

    @Test
    void pruneOptionsAreTyped() {
        PruneCommand p = parse(new PruneCommand(), "m", "--scorer", "Block_Influence", "--scope", "LAYERS",
                "--attention-unit", "query-heads", "--keep-ratio", "0.5", "--out", "x");
        assertEquals(ScorerName.BLOCK_INFLUENCE, p.scorer);
        assertEquals(Budget.Scope.LAYERS, p.scope);
        assertEquals(AttentionUnit.QUERY_HEADS, p.attentionUnit);
        assertEquals(AttentionUnit.KV_GROUPS, parse(new PruneCommand(), "--keep-ratio", "0.5", "--out", "x").attentionUnit);
    }

    @Test
    void everyDtypeSpellingMeansTheSame() {
        for (String s : new String[] {"fp16", "f16", "F16", "float16"}) {
            ExportCommand e = parse(new ExportCommand(), "m", "out.onnx", "--dtype", s, "--external-data", "never");
            assertEquals(DType.F16, e.dtype.dtype(), s);
            assertEquals(OnnxFile.ExternalData.NEVER, e.externalData);
        }
    }

    @Test
    void scoreTakesScorerIdsAndKindIds() {
        ScoreCommand s = parse(new ScoreCommand(), "--scorer", "wanda", "block-influence", "--kinds", "kv_group", "MLP_CHANNEL",
                "--out", "x");
        assertEquals(List.of(ScorerName.WANDA, ScorerName.BLOCK_INFLUENCE), s.scorers);
        assertEquals(List.of(GroupKind.KV_GROUP, GroupKind.MLP_CHANNEL), s.kinds);
    }

    @Test
    void anUnknownValueIsABadInputThatNamesTheOptionAndTheChoices() {
        Cli r = Cli.run("prune", "--scorer", "wandaa", "--keep-ratio", "0.5", "--out", "x");
        assertEquals(PrunekitCli.EXIT_BAD_INPUT, r.exit(), r.err());
        assertTrue(r.err().contains("--scorer") && r.err().contains("block-influence"), r.err());
        Cli d = Cli.run("export", "m", "o.onnx", "--dtype", "int4");
        assertEquals(PrunekitCli.EXIT_BAD_INPUT, d.exit(), d.err());
        assertTrue(d.err().contains("--dtype") && d.err().contains("f32, f16 or bf16"), d.err());
    }
}
