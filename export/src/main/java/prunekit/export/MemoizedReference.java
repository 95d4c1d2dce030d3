package prunekit.export;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link ReferenceForward} that remembers its answers: a prefill by its ids, an incremental
 * append by every id its run has seen so far. Checking several exports of one model (both
 * flavours, fp32 and fp16) against one reference then pays for the reference once. Holds every
 * logit matrix it returned; meant for parity checks, not for long generations.
 */
public final class MemoizedReference implements ReferenceForward {
    private final ReferenceForward inner;
    private final Map<List<Integer>, float[][]> prefills = new HashMap<>();
    private final Map<List<Integer>, float[][]> appends = new HashMap<>();

    public MemoizedReference(ReferenceForward inner) {
        this.inner = inner;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public float[][] prefill(int[] ids) {
        return prefills.computeIfAbsent(key(new ArrayList<>(), ids), k -> inner.prefill(ids));
    }

    @Override
    public Run newRun() {
        return new Run() {
            private final List<Integer> history = new ArrayList<>();
            private Run live;

            @Override
            public float[][] append(int[] ids) {
                List<Integer> before = List.copyOf(history);
                List<Integer> k = key(history, ids);
                float[][] known = appends.get(k);
                if (known != null && live == null) {
                    return known;
                }
                if (live == null) {
                    live = inner.newRun();
                    if (!before.isEmpty()) {
                        live.append(before.stream().mapToInt(Integer::intValue).toArray());
                    }
                }
                float[][] r = live.append(ids);
                appends.put(k, r);
                return r;
            }

            @Override
            public void close() {
                if (live != null) {
                    live.close();
                }
            }
        };
    }

    /** Appends {@code ids} to {@code history} and returns an immutable copy as the key. */
    private static List<Integer> key(List<Integer> history, int[] ids) {
        for (int id : ids) {
            history.add(id);
        }
        return List.copyOf(history);
    }

    @Override
    public void close() {
        inner.close();
    }
}
