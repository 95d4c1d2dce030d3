package prunekit.core.eval.tasks;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import prunekit.core.tokenize.Tokenizer;

/**
 * lm-eval-harness's multiple-choice scoring: every choice of every item becomes one
 * {@link Continuation} of the item's context, all of a task's requests go to the
 * {@link LogLikelihood} at once (so they pack together), and the item counts as right for
 * {@code acc} when the gold choice has the highest log-likelihood, for {@code acc_norm} when it
 * has the highest log-likelihood per UTF-8 byte of the choice text (lm-eval's code divides by
 * Python's {@code len}, code points; bytes are what its documentation names, and the two differ for
 * Vietnamese, where a letter with diacritics is 2 or 3 bytes). Ties go to the first choice, as numpy's argmax.
 */
public final class MultipleChoice {
    private MultipleChoice() {
    }

    /** The requests of {@code task}, item by item, choice by choice. */
    public static List<Continuation> requests(TaskFile task, Tokenizer tok) {
        List<Continuation> out = new ArrayList<>();
        for (int i = 0; i < task.items().size(); i++) {
            TaskItem it = task.items().get(i);
            for (String choice : it.choices()) {
                try {
                    out.add(Continuation.encode(tok, it.context(), choice));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(task.path() + ": item " + (i + 1) + ": " + e.getMessage(), e);
                }
            }
        }
        return out;
    }

    /** The accuracies from the log-likelihoods of {@link #requests}' order. */
    public static TaskScore score(TaskFile task, double[] ll) {
        List<TaskItem> items = task.items();
        int total = items.stream().mapToInt(it -> it.choices().size()).sum();
        if (total != ll.length) {
            throw new IllegalArgumentException(task.name() + ": " + ll.length + " log-likelihoods for " + total + " choices");
        }
        boolean[] acc = new boolean[items.size()];
        boolean[] accNorm = new boolean[items.size()];
        double chance = 0;
        int k = 0;
        for (int i = 0; i < items.size(); i++) {
            TaskItem it = items.get(i);
            int best = 0;
            int bestNorm = 0;
            double[] norm = new double[it.choices().size()];
            for (int c = 0; c < norm.length; c++) {
                norm[c] = ll[k + c] / it.choices().get(c).getBytes(StandardCharsets.UTF_8).length;
                if (ll[k + c] > ll[k + best]) {
                    best = c;
                }
                if (norm[c] > norm[bestNorm]) {
                    bestNorm = c;
                }
            }
            acc[i] = best == it.gold();
            accNorm[i] = bestNorm == it.gold();
            chance += 1.0 / norm.length;
            k += norm.length;
        }
        double[] a = TaskScore.meanStderr(acc);
        double[] an = TaskScore.meanStderr(accNorm);
        return new TaskScore(task.name(), items.size(), a[0], a[1], an[0], an[1], chance / items.size());
    }
}
