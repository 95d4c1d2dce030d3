package prunekit.recover;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.BufferedInputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import prunekit.core.io.AtomicFiles;

/**
 * The teacher's top-k distributions cached on disk ({@code --teacher-cache DIR}), so that runs
 * that draw the same windows (same seed, batch, sequence length and training text: e.g. a LoRA and
 * a full run) pay for the teacher once. One file per (step, micro-batch), {@code step-NNNNNN.mM.topk}:
 * <pre>
 *   int32 magic 'PKTK', int32 version 1, int32 rows, int32 seq, int32 k, int64 fingerprint of the windows,
 *   int32 indices[rows·seq·k], float32 logProbs[rows·seq·k], float32 restMass[rows·seq]   (big-endian)
 * </pre>
 * and {@code cache.json} naming what the entries depend on (the teacher's weights fingerprint, k,
 * the temperature); a directory made for another teacher, k or temperature is refused, and an
 * entry whose windows differ from the step's is refused (the data or the seed changed).
 * Entries are written to a temporary name and renamed, so a killed run leaves no partial entry.
 */
public final class TopKCache {
    static final String MANIFEST = "cache.json";
    private static final int MAGIC = 0x504b544b; // "PKTK"
    private static final int VERSION = 1;

    /** One cached entry in Java arrays: (rows·seq·k) indices and log-probs, (rows·seq) rest mass. */
    public record Entry(int rows, int seq, int k, long fingerprint, int[] indices, float[] logProbs, float[] restMass) {
        public Entry {
            long n = (long) rows * seq;
            if (indices.length != n * k || logProbs.length != n * k || restMass.length != n) {
                throw new IllegalArgumentException("top-k entry arrays do not match rows " + rows + " × seq " + seq
                        + " × k " + k);
            }
        }
    }

    private final Path dir;
    private final int k;

    private TopKCache(Path dir, int k) {
        this.dir = dir;
        this.k = k;
    }

    /** Opens or creates the cache in {@code dir} for this teacher, k and temperature. */
    public static TopKCache open(Path dir, long teacherFingerprint, int k, double temperature) {
        if (k < 1) {
            throw new IllegalArgumentException("--top-k must be >= 1, got " + k);
        }
        JsonObject want = new JsonObject();
        want.addProperty("format", "prunekit teacher top-k v" + VERSION);
        want.addProperty("teacher_fingerprint", Long.toHexString(teacherFingerprint));
        want.addProperty("k", k);
        want.addProperty("temperature", temperature);
        Path manifest = dir.resolve(MANIFEST);
        try {
            Files.createDirectories(dir);
            if (Files.exists(manifest)) {
                JsonObject have = JsonParser.parseString(Files.readString(manifest, StandardCharsets.UTF_8)).getAsJsonObject();
                if (!have.equals(want)) {
                    throw new IllegalArgumentException("the teacher cache " + dir + " was made for " + have + ", not "
                            + want + "; use another --teacher-cache directory");
                }
            } else {
                TrainCheckpoint.writeJson(manifest, want);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the teacher cache " + dir + ": " + e.getMessage(), e);
        }
        return new TopKCache(dir, k);
    }

    public int k() {
        return k;
    }

    Path file(int step, int micro) {
        return dir.resolve(String.format("step-%06d.m%d.topk", step, micro));
    }

    /** The entry of (step, micro-batch), if cached; fails when it was made from other windows. */
    public Optional<Entry> read(int step, int micro, long fingerprint) {
        Path f = file(step, micro);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try (InputStream raw = Files.newInputStream(f);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                throw new IllegalArgumentException(f + " is not a prunekit top-k cache entry (bad magic or version)");
            }
            int rows = in.readInt();
            int seq = in.readInt();
            int kk = in.readInt();
            long fp = in.readLong();
            if (kk != k || fp != fingerprint) {
                throw new IllegalArgumentException(f + " was cached for other windows (k " + kk + ", fingerprint "
                        + Long.toHexString(fp) + " vs " + Long.toHexString(fingerprint) + "): the training text, seed,"
                        + " batch or sequence length changed; use another --teacher-cache directory");
            }
            int n = rows * seq;
            int[] idx = new int[n * k];
            float[] lp = new float[n * k];
            float[] rest = new float[n];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = in.readInt();
            }
            for (int i = 0; i < lp.length; i++) {
                lp[i] = in.readFloat();
            }
            for (int i = 0; i < rest.length; i++) {
                rest[i] = in.readFloat();
            }
            return Optional.of(new Entry(rows, seq, k, fp, idx, lp, rest));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f + " (truncated? delete it to recompute): " + e.getMessage(), e);
        }
    }

    /** Writes the entry of (step, micro-batch) through a temporary file and a rename. */
    public void write(int step, int micro, Entry e) {
        if (e.k() != k) {
            throw new IllegalArgumentException("entry has k " + e.k() + " but the cache holds k " + k);
        }
        Path f = file(step, micro);
        AtomicFiles.writeStream(f, raw -> {
            DataOutputStream out = new DataOutputStream(raw);
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(e.rows());
            out.writeInt(e.seq());
            out.writeInt(e.k());
            out.writeLong(e.fingerprint());
            for (int v : e.indices()) {
                out.writeInt(v);
            }
            for (float v : e.logProbs()) {
                out.writeFloat(v);
            }
            for (float v : e.restMass()) {
                out.writeFloat(v);
            }
            out.flush();
        });
    }

    /** A 64-bit fingerprint of token windows (rows × (seq + 1)). */
    public static long fingerprint(int[][] windows) {
        long h = 0x243F6A8885A308D3L;
        for (int[] w : windows) {
            for (int id : w) {
                h = WindowSampler.mix(h, id);
            }
        }
        return h;
    }
}
