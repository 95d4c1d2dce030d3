package prunekit.core.eval.tasks;

import java.util.List;
import java.util.function.IntConsumer;

/** What scores continuations: our engine in memory or streamed ({@link EngineLogLikelihood}), or a test's table. */
public interface LogLikelihood {
    /**
     * The log-likelihood (natural log, summed over its tokens) of each request's continuation, in
     * request order; {@code progress} (may be null) hears the units of work done.
     */
    double[] score(List<Continuation> requests, IntConsumer progress);
}
