package prunekit.core.io;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;

/**
 * The {@link TensorSource} of one checkpoint file (or shard set): a format's reader of one tensor
 * by HF name behind the checks that every format shares. The shapes its header gives are checked
 * against the config when it is made, so a read cannot fail on a shape. Every read is scanned for
 * non-finite values ({@link NonFinite}).
 */
final class FileTensorSource implements TensorSource {
    /** Reads one tensor by HF name, fp32, in rotate-half layout. */
    @FunctionalInterface
    interface Reader {
        FloatTensor read(String name);
    }

    private final LlamaConfig config;
    private final DType storedDtype;
    private final Path file;
    private final Map<String, int[]> shapes;
    private final Reader reader;
    private final AutoCloseable resources;

    /**
     * {@code stored}: the shape of every tensor as the header gives it (HF names); must equal the
     * config's expected shapes. {@code resources} is closed with the source.
     */
    FileTensorSource(LlamaConfig config, DType storedDtype, Path file, Map<String, int[]> stored, Reader reader,
                     AutoCloseable resources) {
        this.config = config;
        this.storedDtype = storedDtype;
        this.file = file;
        this.shapes = LlamaWeights.expectedShapes(config);
        this.reader = reader;
        this.resources = resources;
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            int[] s = stored.get(e.getKey());
            if (s == null) {
                throw new FormatException(file, "missing tensor " + e.getKey() + " " + Arrays.toString(e.getValue()));
            }
            if (!Arrays.equals(s, e.getValue())) {
                throw new FormatException(file, "tensor " + e.getKey() + " has shape " + Arrays.toString(s)
                        + " but the config needs " + Arrays.toString(e.getValue()));
            }
        }
    }

    @Override
    public LlamaConfig config() {
        return config;
    }

    @Override
    public DType storedDtype() {
        return storedDtype;
    }

    @Override
    public String source() {
        return file.toString();
    }

    @Override
    public Map<String, int[]> shapes() {
        return shapes;
    }

    @Override
    public synchronized FloatTensor read(String name) {
        if (!shapes.containsKey(name)) {
            throw new IllegalArgumentException(file + " has no tensor " + name + " for this config");
        }
        return NonFinite.check(source(), name, reader.read(name));
    }

    @Override
    public void close() {
        try {
            resources.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot close " + file + ": " + e.getMessage(), e);
        }
    }
}
