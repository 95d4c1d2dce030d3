package prunekit.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import prunekit.core.eval.Prompts;
import prunekit.core.io.ModelLoader;
import prunekit.core.tokenize.Tokenizer;

/** {@code prunekit tokenize MODEL|TOKENIZER TEXT}: the token ids of a text (no BOS unless asked). */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Print the token ids of TEXT under a model's or a tokenizer file's vocabulary.",
        footer = {"", "Examples:", "  prunekit tokenize models/stories260K.gguf \"Once upon a time\"",
            "  prunekit tokenize ../shared/tokenizers/vi4k-tokenizer.json \"Xin chào\" --json"})
public final class TokenizeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL|TOKENIZER",
            description = "tokenizer.json, .gguf, HF directory, or llama2.c .bin (with --tokenizer)")
    Path source;

    @Parameters(index = "1", paramLabel = "TEXT")
    String text;

    @Option(names = "--tokenizer", paramLabel = "FILE", description = "tokenizer for a llama2.c .bin model")
    Path tokenizer;

    @Option(names = "--bos", description = "prepend BOS")
    boolean bos;

    @Mixin JsonOutput json;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        Tokenizer tok = source.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".bin")
                || tokenizer != null
                ? ModelLoader.load(source, tokenizer).tokenizer()
                : ModelLoader.loadTokenizer(source);
        int[] ids = bos ? Prompts.withBos(tok, text) : tok.encode(text);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ids", ids);
        out.put("count", ids.length);
        int[] shown = ids;
        json.print(spec.commandLine().getOut(), out,
                () -> String.join(" ", Arrays.stream(shown).mapToObj(Integer::toString).toList()));
        return 0;
    }
}
