package prunekit.core.io;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.IntStream;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;

/**
 * Random weights for a config, generated one tensor at a time as HF initializes LlamaForCausalLM:
 * linear and embedding weights N(0, 0.02²), RMSNorm weights 1. Every block of
 * {@value #BLOCK} values has its own generator seeded from (seed, tensor name, block), so a
 * tensor's values depend on nothing else (shards can be written in any order, blocks in parallel).
 * Generator: SplitMix64 uniforms, Marsaglia's polar method for the normals.
 */
public final class SyntheticWeights implements TensorSource {
    public static final double STD = 0.02;
    static final int BLOCK = 1 << 16;

    private final LlamaConfig config;
    private final DType dtype;
    private final long seed;
    private final Map<String, int[]> shapes;

    public SyntheticWeights(LlamaConfig config, DType dtype, long seed) {
        this.config = config;
        this.dtype = dtype;
        this.seed = seed;
        this.shapes = LlamaWeights.expectedShapes(config);
    }

    @Override
    public LlamaConfig config() {
        return config;
    }

    /** The dtype the weights are meant to be written in. */
    @Override
    public DType storedDtype() {
        return dtype;
    }

    @Override
    public String source() {
        return "synthetic(seed " + seed + ")";
    }

    @Override
    public Map<String, int[]> shapes() {
        return shapes;
    }

    @Override
    public FloatTensor read(String name) {
        int[] shape = shapes.get(name);
        if (shape == null) {
            throw new IllegalArgumentException("no tensor " + name + " in this config");
        }
        float[] data = new float[Math.toIntExact(FloatTensor.numel(shape))];
        if (name.endsWith("norm.weight")) {
            java.util.Arrays.fill(data, 1f);
        } else {
            long base = mix(seed ^ mix(fnv(name)));
            int blocks = (data.length + BLOCK - 1) / BLOCK;
            IntStream.range(0, blocks).parallel().forEach(b -> fill(data, b * BLOCK,
                    Math.min(data.length, (b + 1) * BLOCK), mix(base + b)));
        }
        return new FloatTensor(shape, data);
    }

    /** data[from..to) ← N(0, STD²) from a SplitMix64 stream starting at {@code state}. */
    private static void fill(float[] data, int from, int to, long state) {
        long s = state;
        int i = from;
        while (i < to) {
            double u;
            double v;
            double r;
            do {
                s += 0x9E3779B97F4A7C15L;
                u = (mix(s) >>> 11) * 0x1.0p-52 - 1; // uniform in [-1, 1)
                s += 0x9E3779B97F4A7C15L;
                v = (mix(s) >>> 11) * 0x1.0p-52 - 1;
                r = u * u + v * v;
            } while (r >= 1 || r == 0);
            double f = STD * Math.sqrt(-2 * Math.log(r) / r);
            data[i++] = (float) (u * f);
            if (i < to) {
                data[i++] = (float) (v * f);
            }
        }
    }

    /** SplitMix64's finalizer: a bijective mix of 64 bits. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static long fnv(String name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return h;
    }

    @Override
    public void close() {
        // nothing held
    }
}
