package prunekit.cli;

import java.io.PrintStream;
import prunekit.pipeline.ProgressBars;

/**
 * A one-line progress bar on stderr with rate and ETA, redrawn at most every 200 ms; quiet when
 * stderr is not a terminal and {@code PRUNEKIT_PROGRESS} is unset, except for a final line.
 */
public final class Progress implements ProgressBars.Bar {
    private final String label;
    private final long total;
    private final String unit;
    private final long start = System.nanoTime();
    private final PrintStream err = System.err;
    private final boolean live = System.console() != null || System.getenv("PRUNEKIT_PROGRESS") != null;
    private long lastDraw;

    public Progress(String label, long total, String unit) {
        this.label = label;
        this.total = total;
        this.unit = unit;
    }

    @Override
    public void update(long done, String extra) {
        long now = System.nanoTime();
        if (!live || (now - lastDraw < 200_000_000L && done < total)) {
            return;
        }
        lastDraw = now;
        err.print("\r" + line(done, extra));
        err.flush();
    }

    @Override
    public void finish(long done, String extra) {
        if (live) {
            err.print("\r" + line(done, extra) + "\n");
        } else {
            err.println(line(done, extra));
        }
        err.flush();
    }

    private String line(long done, String extra) {
        double secs = (System.nanoTime() - start) / 1e9;
        double rate = secs > 0 ? done / secs : 0;
        int width = 24;
        int filled = total > 0 ? (int) Math.min(width, width * done / total) : 0;
        String eta = rate > 0 && total > done ? String.format("ETA %.0fs", (total - done) / rate) : String.format("%.1fs", secs);
        return String.format("%s [%s%s] %d/%d %s (%.1f %s/s) %s %s", label, "#".repeat(filled), ".".repeat(width - filled),
                done, total, unit, rate, unit, eta, extra);
    }
}
