package prunekit.pipeline.recipe;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The stages of a recipe in the order {@code --from} counts them: from one kind on, every later kind reruns. */
public enum StageKind {
    GENERATE, SCORE, PRUNE, PLOT, RECOVER, EVAL, EXPORT, BENCH, REPORT;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static StageKind parse(String s) {
        for (StageKind k : values()) {
            if (k.id().equalsIgnoreCase(s.trim())) {
                return k;
            }
        }
        throw new IllegalArgumentException("--from '" + s + "': not a stage; allowed: "
                + Arrays.stream(values()).map(StageKind::id).collect(Collectors.joining(", ")));
    }
}
