package prunekit.core.tokenize;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the pieces of a SentencePiece {@code .model} file (protobuf ModelProto: field 1 = repeated
 * SentencePiece {1: piece, 2: score, 3: type}) for tests that compare against the real LLaMA-2 and
 * vi4k tokenizers. The type codes are the same as GGUF's token_type codes.
 */
final class SentencePieceModelProto {
    private SentencePieceModelProto() {
    }

    private static final java.util.Map<Path, SentencePieceBpe> CACHE = new java.util.concurrent.ConcurrentHashMap<>();

    /** The vocabulary of a {@code .model} file, parsed once per test run. */
    static SentencePieceBpe load(Path file) {
        return CACHE.computeIfAbsent(file.toAbsolutePath(), SentencePieceModelProto::parse);
    }

    private static SentencePieceBpe parse(Path file) {
        byte[] b;
        try {
            b = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> pieces = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        List<SentencePieceBpe.TokenType> types = new ArrayList<>();
        Reader r = new Reader(b, 0, b.length);
        while (r.more()) {
            int key = (int) r.varint();
            if (key >>> 3 == 1 && (key & 7) == 2) {
                int len = (int) r.varint();
                Reader p = new Reader(b, r.pos, r.pos + len);
                r.pos += len;
                String piece = "";
                float score = 0;
                int type = 1;
                while (p.more()) {
                    int k = (int) p.varint();
                    switch (k) {
                        case (1 << 3) | 2 -> {
                            int n = (int) p.varint();
                            piece = new String(b, p.pos, n, StandardCharsets.UTF_8);
                            p.pos += n;
                        }
                        case (2 << 3) | 5 -> {
                            score = ByteBuffer.wrap(b, p.pos, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat();
                            p.pos += 4;
                        }
                        case (3 << 3) -> type = (int) p.varint();
                        default -> p.skip(k & 7);
                    }
                }
                pieces.add(piece);
                scores.add(score);
                types.add(SentencePieceBpe.TokenType.fromGguf(type));
            } else {
                r.skip(key & 7);
            }
        }
        float[] s = new float[scores.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = scores.get(i);
        }
        return SentencePieceBpe.builder().pieces(pieces).scores(s)
                .types(types.toArray(new SentencePieceBpe.TokenType[0]))
                .unkId(pieces.indexOf("<unk>")).bosId(pieces.indexOf("<s>")).eosId(pieces.indexOf("</s>")).build();
    }

    /** Protobuf wire-format reader over b[pos, end). */
    private static final class Reader {
        final byte[] b;
        int pos;
        final int end;

        Reader(byte[] b, int pos, int end) {
            this.b = b;
            this.pos = pos;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; ; shift += 7) {
                byte x = b[pos++];
                v |= (long) (x & 0x7f) << shift;
                if (x >= 0) {
                    return v;
                }
            }
        }

        void skip(int wireType) {
            switch (wireType) {
                case 0 -> varint();
                case 1 -> pos += 8;
                case 2 -> {
                    int n = (int) varint();
                    pos += n;
                }
                case 5 -> pos += 4;
                default -> throw new IllegalStateException("unsupported protobuf wire type " + wireType);
            }
        }
    }
}
