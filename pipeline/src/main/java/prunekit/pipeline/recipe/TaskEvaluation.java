package prunekit.pipeline.recipe;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import prunekit.core.model.Model;

/**
 * The extension point for {@code eval.tasks}: zero-shot multiple-choice scoring of a model on one
 * JSONL task file. The recipe engine does not score tasks itself; an implementation registered as a
 * {@link ServiceLoader} service ({@code META-INF/services/prunekit.pipeline.recipe.TaskEvaluation})
 * is used when present, and a recipe that lists tasks fails before any stage runs when none is.
 */
public interface TaskEvaluation {
    /** The numbers to record for {@code tasks} (for instance acc, acc_norm and their standard errors). */
    Map<String, Object> evaluate(Model model, Path tasks) throws Exception;

    static Optional<TaskEvaluation> installed() {
        return ServiceLoader.load(TaskEvaluation.class).findFirst();
    }
}
