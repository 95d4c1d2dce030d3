package prunekit.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import prunekit.core.model.LlamaConfig;

/**
 * Rotary position embedding in HF's rotate-half layout: dimension j pairs with j + headDim/2.
 * cos/sin tables (maxPositions, headDim) are computed once, as HF does (fp32 inverse frequencies,
 * fp32 angles), including llama3 frequency scaling.
 */
final class Rope {
    private final NDArray cos;
    private final NDArray sin;
    private final int headDim;
    private final int maxPositions;

    Rope(LlamaConfig c, NDManager manager) {
        headDim = c.headDim();
        maxPositions = c.maxPositions();
        double[] inv = c.ropeScaling().inverseFrequencies(headDim, c.ropeTheta());
        int half = headDim / 2;
        float[] cosT = new float[maxPositions * headDim];
        float[] sinT = new float[maxPositions * headDim];
        for (int p = 0; p < maxPositions; p++) {
            for (int j = 0; j < half; j++) {
                float angle = (float) p * (float) inv[j];
                float cs = (float) Math.cos(angle);
                float sn = (float) Math.sin(angle);
                cosT[p * headDim + j] = cs;
                cosT[p * headDim + j + half] = cs;
                sinT[p * headDim + j] = sn;
                sinT[p * headDim + j + half] = sn;
            }
        }
        cos = manager.create(cosT, new Shape(maxPositions, headDim));
        sin = manager.create(sinT, new Shape(maxPositions, headDim));
    }

    /** x: (B, heads, T, headDim) at positions start..start+T-1 → rotated, same shape. */
    NDArray apply(NDArray x, int start) {
        long t = x.getShape().get(2);
        if (start + t > maxPositions) {
            throw new IllegalArgumentException("position " + (start + t - 1) + " is past the model's context of "
                    + maxPositions + " positions; use a shorter input or --ctx");
        }
        NDIndex rows = new NDIndex("{}:{}", start, start + t);
        NDArray c = cos.get(rows); // (T, headDim), broadcasts over (B, heads)
        NDArray s = sin.get(rows);
        int half = headDim / 2;
        NDArray x1 = x.get(new NDIndex("..., :{}", half));
        NDArray x2 = x.get(new NDIndex("..., {}:", half));
        NDArray rotated = NDArrays.concat(new NDList(x2.neg(), x1), -1);
        return x.mul(c).add(rotated.mul(s));
    }
}
