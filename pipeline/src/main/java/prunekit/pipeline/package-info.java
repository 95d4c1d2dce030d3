/**
 * Stage composition: each stage ({@link prunekit.pipeline.PruneStage}, {@link prunekit.pipeline.EvalStage},
 * {@link prunekit.pipeline.RecoverStage}, {@link prunekit.pipeline.ExportStage}, {@link prunekit.pipeline.BenchStage},
 * {@link prunekit.pipeline.PlotStage}, {@link prunekit.pipeline.Generation}) takes a typed options record and
 * returns a typed result; jobs of several stages (recipes in {@code recipe}, {@link prunekit.pipeline.Demo} as
 * the built-in recipe, the prune table in {@code sweep}) call them directly; a recipe's run directory,
 * stage cache and manifest live in {@code recipe} and {@link prunekit.pipeline.RunDirectory}. Stages never print: progress goes to
 * {@link prunekit.pipeline.ProgressBars} and log lines to the caller's consumer. Arrows: cli → pipeline →
 * stages → core.
 */
package prunekit.pipeline;
