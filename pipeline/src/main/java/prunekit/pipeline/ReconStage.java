package prunekit.pipeline;

import java.nio.file.Path;
import java.util.function.Consumer;
import prunekit.calibrate.CalibrationOptions;
import prunekit.calibrate.CalibrationSet;
import prunekit.core.io.HfCheckpoint;
import prunekit.core.io.LazyModel;
import prunekit.core.io.ModelCard;
import prunekit.core.model.LlamaConfig;
import prunekit.prune.budget.AttentionUnit;
import prunekit.prune.budget.Budget;
import prunekit.prune.plan.PlanJson;
import prunekit.prune.recon.Recon;
import prunekit.prune.recon.ReconOptions;
import prunekit.prune.recon.SearchOptions;
import prunekit.prune.recon.SequentialPruner;

/**
 * The default recipe of {@code prune}: sequential layer-wise reconstruction ({@link Recon}: group
 * OBS costs, ridge refit, searched allocation) on calibration text, one layer of the model read,
 * pruned and written at a time. Writes OUT/plan.json and OUT/pruned (with its model card; sharded
 * safetensors when large, the input's dtype unless {@code write} says).
 */
public final class ReconStage {
    private ReconStage() {
    }

    /**
     * {@code samples}/{@code seqLen} null: the recipe's defaults ({@link Recon#DEFAULT_SAMPLES} windows of
     * {@link Recon#DEFAULT_SEQ_LEN}, at most the model's context); {@code generations} null: the search's default,
     * 0 (or {@code uniform}) the same shape in every layer; {@code command} for the model card (may be null).
     */
    public record Options(Calibration calibration, Integer samples, Integer seqLen, Budget budget, AttentionUnit attention,
                          ReconOptions.Matmul matmul, Integer generations, boolean uniform, Path out,
                          HfCheckpoint.WriteOptions write, String command) {
        public Options {
            if (calibration == null || !calibration.given()) {
                throw new IllegalArgumentException("the default recipe needs calibration text: pass --calib FILE..., or"
                        + " choose a scorer with --scorer NAME (or --scores FILE)");
            }
            if (budget == null || attention == null || matmul == null || out == null || write == null) {
                throw new IllegalArgumentException("the default recipe needs a budget, an attention unit, a matmul"
                        + " precision, --out DIR and write options");
            }
        }
    }

    /** {@code matmul}: the precision the large products ran in ("fp32", or "bf16" for the calibration forwards and Gram matrices). */
    public record Result(Path plan, Path pruned, Budget budget, long calibrationTokens, double seconds, int generations,
                         long paramsBefore, long paramsAfter, long layerParamsBefore, long layerParamsAfter, boolean uniform,
                         String matmul) {
    }

    public static Result run(LazyModel m, Options o, Consumer<String> log) {
        LlamaConfig c = m.config();
        if (!c.isUniform()) {
            throw new IllegalArgumentException(m.source() + " has per-layer shapes; the default recipe starts from a"
                    + " uniform model: add --scorer NAME");
        }
        CalibrationOptions co = o.calibration().options();
        int samples = o.samples() != null ? o.samples() : Recon.DEFAULT_SAMPLES;
        int seqLen = o.seqLen() != null ? o.seqLen() : Math.min(Recon.DEFAULT_SEQ_LEN, c.maxPositions());
        CalibrationSet set = CalibrationSet.from(o.calibration().files(), Models.requireTokenizer(m),
                new CalibrationOptions(samples, seqLen, co.seed(), co.heldOutWindows()));
        SearchOptions so = o.generations() == null ? SearchOptions.defaults()
                : SearchOptions.defaults().withGenerations(o.generations());
        if (o.uniform()) {
            so = so.withGenerations(0);
        }
        ReconOptions ro = ReconOptions.defaults().withAttention(o.attention()).withMatmul(o.matmul().check());
        boolean bf16 = ro.matmul().bf16(c.hidden());
        if (bf16) {
            log.accept("calibration forwards and Gram matrices in bf16 (fp32 accumulation; the refit stays fp64;"
                    + " --matmul fp32 to turn it off)");
        }
        SequentialPruner.Run run = Recon.start(m.weights(), set, o.budget(), ro, so, log);
        LlamaConfig pruned = run.config();
        Path dir = o.out().resolve(PruneStage.PRUNED);
        HfCheckpoint.WriteOptions w = o.write().dtype() != null ? o.write()
                : o.write().withDtype(m.weights().storedDtype());
        ModelCard card = ModelCard.pruned(m.source(), c.parameterCount(), "layer-wise reconstruction, "
                + o.budget().describe());
        HfCheckpoint.write(pruned, run.tensors(), m.tokenizer(), dir, w,
                (o.command() == null ? card : card.withCommand(o.command())).render(pruned));
        SequentialPruner.Result r = run.result();
        Path plan = o.out().resolve(PruneStage.PLAN);
        PlanJson.write(r.plan(), c, plan);
        return new Result(plan, dir, o.budget(), r.tokens(), r.seconds(), so.generations(), c.parameterCount(),
                pruned.parameterCount(), c.parameterCounts().get("layers"), pruned.parameterCounts().get("layers"),
                pruned.isUniform(), bf16 ? "bf16" : "fp32");
    }
}
