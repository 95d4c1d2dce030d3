package prunekit.export;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import prunekit.core.engine.Decoder;

/**
 * A {@link Decoder.Source} that remembers its answers: every append by all the ids its decoder
 * has seen so far. Checking several exports of one model (both flavours) against one reference
 * then pays for the reference once. Holds every logit matrix it returned; for tests only.
 */
final class MemoizedReference implements Decoder.Source {
    private final Decoder.Source inner;
    private final Map<List<Integer>, float[][]> appends = new HashMap<>();

    MemoizedReference(Decoder.Source inner) {
        this.inner = inner;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public Decoder newDecoder() {
        return new Decoder() {
            private final List<Integer> history = new ArrayList<>();
            private Decoder live;

            @Override
            public float[][] append(int[] ids) {
                List<Integer> before = List.copyOf(history);
                for (int id : ids) {
                    history.add(id);
                }
                List<Integer> key = List.copyOf(history);
                float[][] known = appends.get(key);
                if (known != null && live == null) {
                    return known;
                }
                if (live == null) {
                    live = inner.newDecoder();
                    if (!before.isEmpty()) {
                        live.append(before.stream().mapToInt(Integer::intValue).toArray());
                    }
                }
                float[][] r = live.append(ids);
                appends.put(key, r);
                return r;
            }

            @Override
            public int length() {
                return history.size();
            }

            @Override
            public int maxPositions() {
                return live != null ? live.maxPositions() : Integer.MAX_VALUE;
            }

            @Override
            public void close() {
                if (live != null) {
                    live.close();
                }
            }
        };
    }
}
