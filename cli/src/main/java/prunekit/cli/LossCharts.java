package prunekit.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import prunekit.core.io.FormatException;
import prunekit.recover.TrainLog;
import prunekit.viz.Charts;
import prunekit.viz.LossCurveChart;
import prunekit.viz.WrittenChart;

/**
 * The training loss chart: train and validation loss against tokens for our run, and optionally
 * a reference run's log ({@code training_log.json} entries with step, tokens, train_loss, valid_loss).
 */
final class LossCharts {
    private LossCharts() {
    }

    static WrittenChart write(TrainLog log, String name, Path referenceLog, Path stem) throws IOException {
        List<LossCurveChart.Run> runs = new ArrayList<>();
        List<Double> tt = new ArrayList<>();
        List<Double> tl = new ArrayList<>();
        List<Double> vt = new ArrayList<>();
        List<Double> vl = new ArrayList<>();
        for (TrainLog.Entry e : log.entries()) {
            if (!e.skipped()) {
                tt.add((double) e.tokens());
                tl.add(e.loss());
            }
            if (e.validLoss() != null) {
                vt.add((double) e.tokens());
                vl.add(e.validLoss());
            }
        }
        runs.add(new LossCurveChart.Run(name, tt, tl, vt, vl));
        if (referenceLog != null) {
            runs.add(reference(referenceLog));
        }
        return Charts.write(new LossCurveChart.Data("Training loss", "loss (nats/token)", runs), stem);
    }

    private static LossCurveChart.Run reference(Path file) throws IOException {
        List<Double> tt = new ArrayList<>();
        List<Double> tl = new ArrayList<>();
        List<Double> vt = new ArrayList<>();
        List<Double> vl = new ArrayList<>();
        try {
            JsonObject root = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
            for (JsonElement el : root.getAsJsonArray("log")) {
                JsonObject e = el.getAsJsonObject();
                double tokens = e.get("tokens").getAsDouble();
                if (e.has("train_loss")) {
                    tt.add(tokens);
                    tl.add(e.get("train_loss").getAsDouble());
                }
                if (e.has("valid_loss") && !e.get("valid_loss").isJsonNull()) {
                    vt.add(tokens);
                    vl.add(e.get("valid_loss").getAsDouble());
                }
            }
        } catch (RuntimeException e) {
            throw new FormatException(file, "not a training log with log[].tokens/train_loss/valid_loss (" + e.getMessage() + ")", e);
        }
        return new LossCurveChart.Run("reference (" + file.getFileName() + ")", tt, tl, vt, vl);
    }
}
