package prunekit.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The hidden states entering every decoder layer, one (B, T, hidden) fp32 array per batch, kept
 * for {@link LayerwiseBackward}'s recomputation (or any per-batch fp32 arrays of the same shape at
 * every slot, such as a tied head's gradients): in Java memory while they fit {@code inMemoryBytes},
 * otherwise spilled to one little-endian fp32 file per layer (batches back to back) in a temporary
 * folder under {@code spillDir}, written and read with positional {@link FileChannel} calls. A
 * layer's file is deleted when it is dropped, the folder on {@link #close()}.
 */
final class LayerInputs implements AutoCloseable {
    private final List<List<float[]>> memory = new ArrayList<>(); // [layer][batch], when not spilled
    private final List<Shape> shapes = new ArrayList<>(); // per batch (the same at every layer)
    private final List<Long> offsets = new ArrayList<>(); // byte offset of each batch in a layer file
    private final Path folder; // null: in memory
    private final List<FileChannel> files = new ArrayList<>();

    /** {@code bytes}: what every layer's inputs take together; above {@code inMemoryBytes} they go to disk. */
    LayerInputs(int layers, long bytes, long inMemoryBytes, Path spillDir) {
        try {
            if (bytes <= inMemoryBytes) {
                folder = null;
                for (int i = 0; i < layers; i++) {
                    memory.add(new ArrayList<>());
                }
                return;
            }
            Path parent = spillDir != null ? spillDir : Path.of(System.getProperty("java.io.tmpdir"));
            Files.createDirectories(parent);
            folder = Files.createTempDirectory(parent, "layer-inputs-");
            for (int i = 0; i < layers; i++) {
                files.add(FileChannel.open(folder.resolve("layer-" + i + ".f32"), StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.DELETE_ON_CLOSE));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a folder for layer inputs under " + spillDir
                    + " (" + e.getMessage() + "); give a writable output folder with free space", e);
        }
    }

    boolean spilled() {
        return folder != null;
    }

    /** Stores {@code h}, batch {@code batch} entering layer {@code layer}; batches come in order 0, 1, …. */
    void put(int layer, int batch, NDArray h) {
        float[] x = h.toFloatArray();
        if (layer == 0) {
            shapes.add(h.getShape());
            offsets.add(batch == 0 ? 0L : offsets.get(batch - 1) + 4L * shapes.get(batch - 1).size());
        }
        if (folder == null) {
            memory.get(layer).add(x);
            return;
        }
        ByteBuffer buf = ByteBuffer.allocate(4 * x.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(x);
        try {
            long at = offsets.get(batch);
            while (buf.hasRemaining()) {
                at += files.get(layer).write(buf, at);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write layer inputs to " + folder + ": " + e.getMessage()
                    + "; free disk space there", e);
        }
    }

    /** Batch {@code batch} entering layer {@code layer}, as a new array of {@code m}. */
    NDArray get(int layer, int batch, NDManager m) {
        Shape s = shapes.get(batch);
        if (folder == null) {
            return m.create(memory.get(layer).get(batch), s);
        }
        ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(4 * s.size())).order(ByteOrder.LITTLE_ENDIAN);
        try {
            long at = offsets.get(batch);
            while (buf.hasRemaining()) {
                int n = files.get(layer).read(buf, at);
                if (n < 0) {
                    throw new IOException("the file ends early");
                }
                at += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read layer inputs back from " + folder + ": " + e.getMessage(), e);
        }
        buf.flip();
        float[] x = new float[Math.toIntExact(s.size())];
        buf.asFloatBuffer().get(x);
        return m.create(x, s);
    }

    /** Layer {@code layer}'s inputs are no longer needed: freed (their file deleted). */
    void drop(int layer) {
        if (folder == null) {
            memory.get(layer).clear();
            return;
        }
        try {
            files.get(layer).close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete layer " + layer + "'s inputs in " + folder + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        memory.clear();
        try {
            for (FileChannel f : files) {
                f.close();
            }
            if (folder != null) {
                Files.deleteIfExists(folder);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + folder + ": " + e.getMessage(), e);
        }
    }
}
