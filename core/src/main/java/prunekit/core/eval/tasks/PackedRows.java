package prunekit.core.eval.tasks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Continuations packed into few forward passes. A request's input is its tokens but the last; a
 * causal model's logits at position p depend only on inputs 0..p, so a request whose input is a
 * prefix of another's is read from that other's row (the choices of a question share their
 * context: one-token choices all read the context's row, and ride along with a longer choice).
 * Rows are sorted by length, longest first, and cut into batches of at most {@code batchTokens}
 * padded tokens; short rows are right-padded, which changes nothing before the padding.
 */
public final class PackedRows {
    /** Padding id: any valid id works, its positions are never read. */
    static final int PAD = 0;

    /** batches.get(j): (rows, T_j) input ids. */
    private final List<int[][]> batches = new ArrayList<>();
    /** Per request: its batch and row. */
    private final int[] batchOf;
    private final int[] rowOf;
    private final List<Continuation> requests;

    public PackedRows(List<Continuation> requests, int batchTokens, int maxPositions) {
        if (batchTokens < 1) {
            throw new IllegalArgumentException("tokens per forward pass must be >= 1, got " + batchTokens);
        }
        this.requests = List.copyOf(requests);
        int n = requests.size();
        for (int i = 0; i < n; i++) {
            int in = requests.get(i).tokens().length - 1;
            if (in > maxPositions) {
                throw new IllegalArgumentException("request " + i + " needs " + in + " positions, more than the model's "
                        + maxPositions + " (max_position_embeddings); shorten the item's context and choice");
            }
        }
        int[][] inputs = new int[n][];
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            inputs[i] = input(requests.get(i));
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Arrays.compare(inputs[a], inputs[b]));
        // Sorted, a sequence that is a prefix of another is a prefix of its successor; owner = the last of the chain.
        int[] owner = new int[n];
        for (int k = n - 1; k >= 0; k--) {
            int i = order[k];
            owner[i] = k + 1 < n && isPrefix(inputs[i], inputs[order[k + 1]])
                    ? owner[order[k + 1]] : i;
        }
        List<Integer> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (owner[i] == i) {
                rows.add(i);
            }
        }
        rows.sort(Comparator.comparingInt((Integer i) -> -requests.get(i).tokens().length).thenComparingInt(i -> i));
        int[] batchOfRow = new int[n];
        int[] rowIndex = new int[n];
        for (int from = 0; from < rows.size(); ) {
            int t = requests.get(rows.get(from)).tokens().length - 1; // longest first: the batch's width
            int count = Math.max(1, Math.min(rows.size() - from, batchTokens / t));
            int[][] b = new int[count][t];
            for (int r = 0; r < count; r++) {
                int owner0 = rows.get(from + r);
                int[] in = inputs[owner0];
                Arrays.fill(b[r], PAD);
                System.arraycopy(in, 0, b[r], 0, in.length);
                batchOfRow[owner0] = batches.size();
                rowIndex[owner0] = r;
            }
            batches.add(b);
            from += count;
        }
        batchOf = new int[n];
        rowOf = new int[n];
        for (int i = 0; i < n; i++) {
            batchOf[i] = batchOfRow[owner[i]];
            rowOf[i] = rowIndex[owner[i]];
        }
    }

    /** The forward passes' inputs: each (rows, T) from position 0. */
    public List<int[][]> batches() {
        return batches;
    }

    /** Requests whose row is in batches 0..j. */
    public int requestsThrough(int j) {
        return (int) Arrays.stream(batchOf).filter(b -> b <= j).count();
    }

    /** Rows computed (distinct inputs after prefix sharing). */
    public int rowCount() {
        return batches.stream().mapToInt(b -> b.length).sum();
    }

    /**
     * Flat indices into batch j's log-probabilities (rows, T, vocab) of every scored token, and the
     * request each belongs to: {@code [0]} the indices, {@code [1]} the requests.
     */
    public long[][] targets(int j, int vocab) {
        int t = batches.get(j)[0].length;
        List<long[]> pairs = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            if (batchOf[i] != j) {
                continue;
            }
            Continuation c = requests.get(i);
            for (int p = c.start() - 1; p < c.tokens().length - 1; p++) {
                pairs.add(new long[] {((long) rowOf[i] * t + p) * vocab + c.tokens()[p + 1], i});
            }
        }
        long[][] out = new long[2][pairs.size()];
        for (int k = 0; k < pairs.size(); k++) {
            out[0][k] = pairs.get(k)[0];
            out[1][k] = pairs.get(k)[1];
        }
        return out;
    }

    private static int[] input(Continuation c) {
        return Arrays.copyOf(c.tokens(), c.tokens().length - 1);
    }

    private static boolean isPrefix(int[] a, int[] b) {
        return a.length <= b.length && Arrays.equals(a, 0, a.length, b, 0, a.length);
    }
}
