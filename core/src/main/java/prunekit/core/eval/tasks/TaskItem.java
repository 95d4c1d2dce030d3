package prunekit.core.eval.tasks;

import java.util.List;

/**
 * One multiple-choice question as lm-eval-harness poses it: each choice is a continuation of
 * {@code context} (which may be empty), and {@code gold} indexes the right one.
 */
public record TaskItem(String context, List<String> choices, int gold) {
    public TaskItem {
        if (context == null) {
            throw new IllegalArgumentException("context must be a string (\"\" for none)");
        }
        if (choices == null || choices.size() < 2) {
            throw new IllegalArgumentException("choices must hold at least 2 strings, got "
                    + (choices == null ? "none" : choices.size()));
        }
        for (int i = 0; i < choices.size(); i++) {
            if (choices.get(i) == null || choices.get(i).isEmpty()) {
                throw new IllegalArgumentException("choice " + i + " is empty: every choice must be a non-empty string");
            }
        }
        choices = List.copyOf(choices);
        if (gold < 0 || gold >= choices.size()) {
            throw new IllegalArgumentException("gold " + gold + " must index the choices: 0.." + (choices.size() - 1));
        }
    }
}
