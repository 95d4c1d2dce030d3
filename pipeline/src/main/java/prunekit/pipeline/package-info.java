/**
 * Stage composition: each stage ({@link prunekit.pipeline.PruneStage}, {@link prunekit.pipeline.EvalStage},
 * {@link prunekit.pipeline.RecoverStage}, {@link prunekit.pipeline.ExportStage}, {@link prunekit.pipeline.BenchStage},
 * {@link prunekit.pipeline.PlotStage}, {@link prunekit.pipeline.Generation}) takes a typed options record and
 * returns a typed result; jobs of several stages ({@link prunekit.pipeline.Demo}, the prune table in
 * {@code sweep}, later {@code prunekit run RECIPE}) call them directly and keep their run directory and
 * manifest in {@link prunekit.pipeline.RunDirectory}. Stages never print: progress goes to
 * {@link prunekit.pipeline.ProgressBars} and log lines to the caller's consumer. Arrows: cli → pipeline →
 * stages → core.
 */
package prunekit.pipeline;
