package prunekit.core.eval.tasks;

import prunekit.core.tokenize.Tokenizer;

/** A test tokenizer with known ids: one id per code point (code point + 3), BOS 1, EOS 2. */
final class CodePointTokenizer implements Tokenizer {
    @Override
    public int[] encode(String text) {
        return text.codePoints().map(c -> c + 3).toArray();
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            if (id > 2) {
                sb.appendCodePoint(id - 3);
            }
        }
        return sb.toString();
    }

    @Override
    public int vocabSize() {
        return 0x1_0000 + 3;
    }

    @Override
    public int bosId() {
        return 1;
    }

    @Override
    public int eosId() {
        return 2;
    }

    @Override
    public String toHuggingFaceJson() {
        throw new UnsupportedOperationException("test tokenizer");
    }
}
