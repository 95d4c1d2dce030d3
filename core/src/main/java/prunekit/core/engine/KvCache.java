package prunekit.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;

/**
 * Keys and values of the positions seen so far, per layer: (B, kvHeads_layer, S, headDim), keys
 * already rotated. Owned by the caller; {@link #close()} frees it.
 */
public final class KvCache implements AutoCloseable {
    private final NDArray[] keys;
    private final NDArray[] values;
    private final NDManager manager;
    private int length;

    KvCache(int layers, NDManager parent) {
        keys = new NDArray[layers];
        values = new NDArray[layers];
        manager = parent.newSubManager();
    }

    /** Positions held. */
    public int length() {
        return length;
    }

    /** Appends (B, kvHeads, T, headDim) to layer {@code layer} and returns the whole (B, kvHeads, S+T, headDim). */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        NDArray newK = keys[layer] == null ? k : NDArrays.concat(new NDList(keys[layer], k), 2);
        NDArray newV = values[layer] == null ? v : NDArrays.concat(new NDList(values[layer], v), 2);
        NDScope.unregister(newK, newV);
        newK.attach(manager); // outlive the caller's managers and scopes
        newV.attach(manager);
        if (keys[layer] != null && keys[layer] != newK) {
            keys[layer].close();
            values[layer].close();
        }
        keys[layer] = newK;
        values[layer] = newV;
        return new NDArray[] {newK, newV};
    }

    void advance(int t) {
        length += t;
    }

    @Override
    public void close() {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                keys[i].close();
                values[i].close();
                keys[i] = null;
                values[i] = null;
            }
        }
        length = 0;
        manager.close();
    }
}
