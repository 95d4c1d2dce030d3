package prunekit.core.tokenize;

import java.util.Arrays;

/**
 * The merge loop of SentencePiece BPE in O(n log n): symbols in a linked list, candidate merges in a
 * binary heap keyed by (merged piece's score descending, left position ascending). A popped candidate
 * is re-checked against the current neighbours and skipped when stale, as in llama.cpp's
 * {@code llm_tokenizer_spm}. The slow reference it is tested against rescans all pairs per merge.
 */
final class BpeMerger {
    private BpeMerger() {
    }

    /**
     * Merges {@code ids} (one symbol each) until no adjacent pair has a merge in {@code pairs}.
     * {@code scores[m]} is the priority of producing piece m; ties go to the leftmost pair.
     */
    static int[] merge(int[] ids, LongIntMap pairs, float[] scores) {
        int n = ids.length;
        int[] sym = ids.clone();
        int[] next = new int[n];
        int[] prev = new int[n];
        boolean[] dead = new boolean[n];
        for (int i = 0; i < n; i++) {
            next[i] = i + 1;
            prev[i] = i - 1;
        }
        LongHeap heap = new LongHeap(Math.max(16, n));
        for (int i = 0; i + 1 < n; i++) {
            offer(heap, i, sym, next, pairs, scores);
        }
        while (!heap.isEmpty()) {
            long key = heap.poll();
            int left = (int) key;
            if (dead[left] || next[left] >= n) {
                continue;
            }
            int right = next[left];
            int merged = pairs.get(sym[left], sym[right]);
            if (merged < 0 || (int) (key >> 32) != descending(scores[merged])) {
                continue; // stale: a neighbour changed since this candidate was queued
            }
            sym[left] = merged;
            dead[right] = true;
            next[left] = next[right];
            if (next[right] < n) {
                prev[next[right]] = left;
            }
            if (prev[left] >= 0) {
                offer(heap, prev[left], sym, next, pairs, scores);
            }
            offer(heap, left, sym, next, pairs, scores);
        }
        int[] out = new int[n];
        int k = 0;
        for (int i = 0; i < n; i = next[i]) {
            out[k++] = sym[i];
        }
        return Arrays.copyOf(out, k);
    }

    private static void offer(LongHeap heap, int left, int[] sym, int[] next, LongIntMap pairs, float[] scores) {
        int right = next[left];
        if (right >= sym.length) {
            return;
        }
        int merged = pairs.get(sym[left], sym[right]);
        if (merged >= 0) {
            heap.add(((long) descending(scores[merged]) << 32) | left);
        }
    }

    /** An int that orders like {@code -score} (higher scores first); -0.0 and 0.0 are equal. */
    static int descending(float score) {
        int bits = Float.floatToIntBits(score + 0.0f);
        int ascending = bits >= 0 ? bits : bits ^ 0x7fffffff;
        return ~ascending;
    }

    /** A growable binary min-heap of longs. */
    private static final class LongHeap {
        private long[] a;
        private int size;

        LongHeap(int capacity) {
            a = new long[capacity];
        }

        boolean isEmpty() {
            return size == 0;
        }

        void add(long v) {
            if (size == a.length) {
                a = Arrays.copyOf(a, a.length * 2);
            }
            int i = size++;
            while (i > 0) {
                int p = (i - 1) >>> 1;
                if (a[p] <= v) {
                    break;
                }
                a[i] = a[p];
                i = p;
            }
            a[i] = v;
        }

        long poll() {
            long top = a[0];
            long v = a[--size];
            int i = 0;
            while (true) {
                int c = 2 * i + 1;
                if (c >= size) {
                    break;
                }
                if (c + 1 < size && a[c + 1] < a[c]) {
                    c++;
                }
                if (v <= a[c]) {
                    break;
                }
                a[i] = a[c];
                i = c;
            }
            a[i] = v;
            return top;
        }
    }
}
