package prunekit.core.tokenize;

/**
 * An open-addressing map from a pair of non-negative ints to a non-negative int, without boxing:
 * the (left id, right id) → merged id table of a BPE vocabulary, looked up once per candidate merge.
 */
final class LongIntMap {
    private static final long EMPTY = -1L;
    private long[] keys;
    private int[] values;
    private int size;

    LongIntMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2) - 1) << 1;
        keys = new long[cap];
        values = new int[cap];
        java.util.Arrays.fill(keys, EMPTY);
    }

    /** Stores {@code value} for (a, b); the first value stored for a pair is kept. */
    void put(int a, int b, int value) {
        if (a < 0 || b < 0 || value < 0) {
            throw new IllegalArgumentException("negative id in pair map: " + a + ", " + b + " -> " + value);
        }
        if (2 * (size + 1) > keys.length) {
            grow();
        }
        long k = key(a, b);
        int i = slot(k);
        if (keys[i] == EMPTY) {
            keys[i] = k;
            values[i] = value;
            size++;
        }
    }

    /** The value for (a, b), or -1. */
    int get(int a, int b) {
        long k = key(a, b);
        int i = slot(k);
        return keys[i] == EMPTY ? -1 : values[i];
    }

    int size() {
        return size;
    }

    private static long key(int a, int b) {
        return ((long) a << 32) | (b & 0xffffffffL);
    }

    /** The slot holding {@code k}, or the empty slot where it would go (linear probing). */
    private int slot(long k) {
        int mask = keys.length - 1;
        int i = (int) ((k * 0x9E3779B97F4A7C15L) >>> 32) & mask;
        while (keys[i] != EMPTY && keys[i] != k) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new int[oldKeys.length * 2];
        java.util.Arrays.fill(keys, EMPTY);
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                put((int) (oldKeys[i] >>> 32), (int) oldKeys[i], oldValues[i]);
            }
        }
    }
}
