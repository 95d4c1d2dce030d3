package prunekit.recover;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which parameters train: a name is trainable when it matches at least one {@code include} pattern
 * and no {@code exclude} pattern (full-name regular expressions over HF tensor names such as
 * {@code model.layers.3.mlp.down_proj.weight}). Every other parameter is frozen: it gets no
 * gradient, no optimizer state and is never changed.
 */
public record ParamSelection(List<String> include, List<String> exclude) {
    /** Every parameter. */
    public static final ParamSelection ALL = new ParamSelection(List.of(".*"), List.of());

    public ParamSelection {
        include = List.copyOf(include);
        exclude = List.copyOf(exclude);
        if (include.isEmpty()) {
            throw new IllegalArgumentException("a parameter selection needs at least one include pattern (\".*\" for all)");
        }
        for (String p : include) {
            compile(p);
        }
        for (String p : exclude) {
            compile(p);
        }
    }

    /** Exactly the parameters named. */
    public static ParamSelection names(List<String> names) {
        return new ParamSelection(names.stream().map(Pattern::quote).toList(), List.of());
    }

    /** Parameters whose full name matches one of {@code regexes}. */
    public static ParamSelection regex(String... regexes) {
        return new ParamSelection(List.of(regexes), List.of());
    }

    /** This selection with the parameters matching {@code regexes} frozen as well. */
    public ParamSelection freezing(String... regexes) {
        List<String> ex = new ArrayList<>(exclude);
        ex.addAll(List.of(regexes));
        return new ParamSelection(include, ex);
    }

    public boolean matches(String name) {
        return include.stream().anyMatch(p -> Pattern.matches(p, name))
                && exclude.stream().noneMatch(p -> Pattern.matches(p, name));
    }

    /** The selected names among {@code all}, in their order; fails when nothing is selected. */
    public List<String> select(Set<String> all) {
        List<String> out = all.stream().filter(this::matches).toList();
        if (out.isEmpty()) {
            throw new IllegalArgumentException("the parameter selection " + this + " matches none of the model's "
                    + all.size() + " tensors (e.g. " + all.iterator().next() + ")");
        }
        return out;
    }

    private static void compile(String p) {
        try {
            Pattern.compile(p);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid parameter pattern '" + p + "': " + e.getDescription(), e);
        }
    }
}
