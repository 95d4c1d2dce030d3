package prunekit.core.tokenize;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A SentencePiece BPE vocabulary (LLaMA-1/2 style: byte fallback, dummy prefix, identity
 * normalization) as stored inside GGUF and llama2.c files, with the encoder llama.cpp and llama2.c
 * use: text → '▁'-joined code points → pieces or byte pieces → repeated merge of the adjacent pair
 * whose concatenation is the highest-scoring piece (leftmost on ties).
 *
 * <p>Only {@link TokenType#NORMAL} and {@link TokenType#USER_DEFINED} pieces take part in lookup and
 * merges; control, unknown, unused and byte pieces are never produced from text, except that a
 * character missing from the vocabulary becomes one byte piece per UTF-8 byte (or one unknown
 * token when the byte pieces are missing). Encoding runs in O(n log n) with a heap of candidate
 * merges ({@code BpeMerger}); {@link #toHuggingFaceJson()} writes the same vocabulary as a Hugging Face
 * tokenizer.json.
 */
public final class SentencePieceBpe implements Tokenizer {
    static final char SPACE = '\u2581'; // '▁', SentencePiece's visible space

    /** SentencePiece piece types; {@link #fromGguf} maps llama.cpp's codes (1..6). */
    public enum TokenType {
        NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE;

        /** llama.cpp's token_type codes: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte; 0 = undefined = normal. */
        public static TokenType fromGguf(int code) {
            return switch (code) {
                case 0, 1 -> NORMAL;
                case 2 -> UNKNOWN;
                case 3 -> CONTROL;
                case 4 -> USER_DEFINED;
                case 5 -> UNUSED;
                case 6 -> BYTE;
                default -> throw new IllegalArgumentException("unknown token type code " + code + " (expected 0..6)");
            };
        }

        /** The llama.cpp code of this type (the inverse of {@link #fromGguf}). */
        public int ggufCode() {
            return ordinal() + 1;
        }

        boolean mergeable() {
            return this == NORMAL || this == USER_DEFINED;
        }
    }

    private final String[] pieces;
    private final float[] scores;
    private final TokenType[] types;
    private final int bosId;
    private final int eosId;
    private final int unkId;
    /** Text → id for mergeable pieces (first id wins on duplicates). */
    private final Map<String, Integer> lookup = new HashMap<>();
    /** (left id, right id) → merged id, for every split of a mergeable piece into two mergeable pieces. */
    private final LongIntMap pairs;
    /** Id of the mergeable one-char piece for each BMP char, or -1 (saves a substring per character). */
    private final int[] charIds = new int[Character.MAX_VALUE + 1];
    /** Pieces as text: '▁' → ' '. */
    private final String[] texts;
    /** Byte value → id of its {@code <0xXX>} piece, or -1. */
    private final int[] byteIds = new int[256];
    private final int[] byteValues;

    private SentencePieceBpe(Builder b) {
        int n = b.pieces.size();
        if (n == 0 || b.scores.length != n || (b.types != null && b.types.length != n)) {
            throw new IllegalArgumentException("vocabulary of " + n + " pieces needs as many scores ("
                    + b.scores.length + ") and types (" + (b.types == null ? "derived" : b.types.length) + ")");
        }
        if (b.pieces.contains(null)) {
            throw new IllegalArgumentException("piece " + b.pieces.indexOf(null) + " is null");
        }
        this.pieces = b.pieces.toArray(new String[0]);
        this.scores = b.scores.clone();
        this.bosId = b.bosId;
        this.eosId = b.eosId;
        this.unkId = b.unkId >= 0 ? b.unkId : Math.max(-1, b.pieces.indexOf("<unk>"));
        for (int id : new int[] {bosId, eosId, unkId}) {
            if (id >= n) {
                throw new IllegalArgumentException("special token id " + id + " outside the vocabulary of " + n);
            }
        }
        this.types = b.types != null ? b.types.clone() : deriveTypes();
        Arrays.fill(byteIds, -1);
        Arrays.fill(charIds, -1);
        this.byteValues = new int[n];
        this.texts = new String[n];
        for (int i = 0; i < n; i++) {
            byteValues[i] = parseBytePiece(pieces[i]);
            texts[i] = pieces[i].replace(SPACE, ' ');
            if (types[i] == TokenType.BYTE) {
                if (byteValues[i] < 0) {
                    throw new IllegalArgumentException("byte piece " + i + " '" + pieces[i] + "' is not of the form <0xXX>");
                }
                if (byteIds[byteValues[i]] < 0) {
                    byteIds[byteValues[i]] = i;
                }
            } else if (types[i].mergeable()) {
                lookup.putIfAbsent(pieces[i], i);
                if (pieces[i].length() == 1 && charIds[pieces[i].charAt(0)] < 0) {
                    charIds[pieces[i].charAt(0)] = i;
                }
            }
        }
        this.pairs = buildPairs();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The vocabulary of a SentencePiece-style Hugging Face {@code tokenizer.json} (the inverse of
     * {@link #toHuggingFaceJson}); an IllegalArgumentException saying why for other kinds.
     */
    public static SentencePieceBpe fromHuggingFaceJson(String json, int bosId, int eosId) {
        return SentencePieceFromJson.read(json, bosId, eosId);
    }

    /** Types when the file stores none: {@code <0xXX>} → byte, BOS/EOS → control, UNK → unknown, else normal. */
    private TokenType[] deriveTypes() {
        TokenType[] t = new TokenType[pieces.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = i == bosId || i == eosId ? TokenType.CONTROL
                    : i == unkId ? TokenType.UNKNOWN
                    : parseBytePiece(pieces[i]) >= 0 ? TokenType.BYTE : TokenType.NORMAL;
        }
        return t;
    }

    /** The byte of a piece {@code <0xXX>} (two hex digits), or -1. */
    static int parseBytePiece(String p) {
        if (p.length() != 6 || !p.startsWith("<0x") || p.charAt(5) != '>') {
            return -1;
        }
        int hi = Character.digit(p.charAt(3), 16);
        int lo = Character.digit(p.charAt(4), 16);
        return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }

    private LongIntMap buildPairs() {
        LongIntMap m = new LongIntMap(lookup.size() * 2);
        for (int id = 0; id < pieces.length; id++) {
            if (!types[id].mergeable() || pieces[id].isEmpty() || lookup.get(pieces[id]) != id) {
                continue;
            }
            String p = pieces[id];
            for (int k = p.offsetByCodePoints(0, 1); k < p.length(); k = p.offsetByCodePoints(k, 1)) {
                Integer l = lookup.get(p.substring(0, k));
                Integer r = lookup.get(p.substring(k));
                if (l != null && r != null) {
                    m.put(l, r, id);
                }
            }
        }
        return m;
    }

    @Override
    public int[] encode(String text) {
        if (text.isEmpty()) {
            return new int[0];
        }
        int[] ids = initialSymbols(SPACE + text.replace(' ', SPACE));
        return BpeMerger.merge(ids, pairs, scores);
    }

    /** One id per code point that is a piece; otherwise one byte piece per UTF-8 byte (or a fused unknown). */
    private int[] initialSymbols(String s) {
        int[] out = new int[s.length() * 3 + 1];
        int n = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int len = Character.charCount(cp);
            if (len == 1 && charIds[cp] >= 0) {
                out[n++] = charIds[cp];
                i++;
                continue;
            }
            String ch = s.substring(i, i + len);
            i += len;
            Integer id = len == 1 ? null : lookup.get(ch);
            if (id != null) {
                out[n++] = id;
                continue;
            }
            byte[] bytes = ch.getBytes(StandardCharsets.UTF_8);
            boolean allBytes = true;
            for (byte b : bytes) {
                allBytes &= byteIds[b & 0xff] >= 0;
            }
            if (allBytes) {
                for (byte b : bytes) {
                    out[n++] = byteIds[b & 0xff];
                }
            } else if (unkId < 0) {
                throw new IllegalArgumentException("character U+" + Integer.toHexString(cp)
                        + " is not in the vocabulary, which has neither byte pieces nor <unk>");
            } else if (n == 0 || out[n - 1] != unkId) {
                out[n++] = unkId; // consecutive unknowns fuse into one
            }
        }
        return Arrays.copyOf(out, n);
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder out = new StringBuilder();
        ByteArrayOutputStream run = new ByteArrayOutputStream();
        for (int id : ids) {
            checkId(id);
            TokenType t = types[id];
            if (t == TokenType.CONTROL || t == TokenType.UNKNOWN) {
                continue;
            }
            if (t == TokenType.BYTE) {
                run.write(byteValues[id]);
                continue;
            }
            flushBytes(run, out);
            out.append(texts[id]);
        }
        flushBytes(run, out);
        return out.length() > 0 && out.charAt(0) == ' ' ? out.substring(1) : out.toString();
    }

    /** Like HF's ByteFallback decoder: a run of byte pieces that is not valid UTF-8 gives one U+FFFD per byte. */
    private static void flushBytes(ByteArrayOutputStream run, StringBuilder out) {
        if (run.size() == 0) {
            return;
        }
        byte[] b = run.toByteArray();
        run.reset();
        try {
            out.append(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)));
        } catch (CharacterCodingException e) {
            out.append("\uFFFD".repeat(b.length));
        }
    }

    private void checkId(int id) {
        if (id < 0 || id >= pieces.length) {
            throw new IllegalArgumentException("token id " + id + " outside the vocabulary of " + pieces.length);
        }
    }

    /** The piece of {@code id} as stored ('▁' for spaces). */
    public String piece(int id) {
        checkId(id);
        return pieces[id];
    }

    public float score(int id) {
        checkId(id);
        return scores[id];
    }

    public TokenType type(int id) {
        checkId(id);
        return types[id];
    }

    /** The id of a piece of any type (first on duplicates), or -1. */
    public int idOf(String piece) {
        Integer id = lookup.get(piece);
        if (id != null) {
            return id;
        }
        return Arrays.asList(pieces).indexOf(piece);
    }

    @Override
    public int vocabSize() {
        return pieces.length;
    }

    @Override
    public int bosId() {
        return bosId;
    }

    @Override
    public int eosId() {
        return eosId;
    }

    /** The unknown token's id, or -1 when the vocabulary has none. */
    public int unkId() {
        return unkId;
    }

    @Override
    public String toHuggingFaceJson() {
        return SentencePieceJson.write(this);
    }

    /** Builds a {@link SentencePieceBpe}; types are derived from the pieces when not given. */
    public static final class Builder {
        private List<String> pieces = new ArrayList<>();
        private float[] scores = new float[0];
        private TokenType[] types;
        private int bosId = 1;
        private int eosId = 2;
        private int unkId = -1;

        private Builder() {
        }

        /** Pieces in id order, with '▁' (U+2581) for spaces. */
        public Builder pieces(List<String> v) { pieces = new ArrayList<>(v); return this; }
        public Builder scores(float[] v) { scores = v.clone(); return this; }
        /** Piece types (null: derive byte pieces from {@code <0xXX>}, BOS/EOS control, UNK unknown). */
        public Builder types(TokenType[] v) { types = v == null ? null : v.clone(); return this; }
        public Builder bosId(int v) { bosId = v; return this; }
        public Builder eosId(int v) { eosId = v; return this; }
        /** Unknown token id (default: the piece {@code <unk>}, if any). */
        public Builder unkId(int v) { unkId = v; return this; }

        public SentencePieceBpe build() {
            return new SentencePieceBpe(this);
        }
    }
}
