package prunekit.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.SharedFiles;
import prunekit.core.io.ModelLoader;
import prunekit.core.tokenize.Tokenizer;

/** CRLF and lone CR read as LF: the same text saved on another system gives the same stream. */
class TokenStreamNewlinesTest {
    @Test
    void crlfAndLoneCrGiveTheSameStreamAsLf(@TempDir Path tmp) throws Exception {
        String lf = "Once upon a time.\nThere was a cat.\n\nThe end.\n";
        Path a = Files.writeString(tmp.resolve("lf.txt"), lf);
        Path b = Files.writeString(tmp.resolve("crlf.txt"), lf.replace("\n", "\r\n"));
        Path c = Files.writeString(tmp.resolve("cr.txt"), lf.replace("\n", "\r"));
        try (Tokenizer t = ModelLoader.loadTokenizer(SharedFiles.project("models/stories260K.gguf"))) {
            TokenStream s = TokenStream.of(List.of(a), t);
            assertEquals(2, s.blocks(), "split at the blank line");
            for (Path p : List.of(b, c)) {
                TokenStream o = TokenStream.of(List.of(p), t);
                assertArrayEquals(s.ids(), o.ids(), p.toString());
                assertEquals(s.utf8Bytes(), o.utf8Bytes(), p.toString());
            }
        }
    }
}
