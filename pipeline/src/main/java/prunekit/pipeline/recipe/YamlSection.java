package prunekit.pipeline.recipe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * One YAML mapping of a recipe read through SnakeYAML Engine's node API, so that every value keeps
 * its line: the keys it may hold are declared up front (any other key fails, naming the allowed
 * ones), and each typed getter fails with the key's path, its line and what the key takes.
 */
final class YamlSection {
    private final String file;
    private final String path;
    private final Node node;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();

    private YamlSection(String file, String path, Node node, Set<String> allowed) {
        this.file = file;
        this.path = path;
        this.node = node;
        if (!(node instanceof MappingNode m)) {
            throw error(node, path, "expected a mapping of keys (" + String.join(", ", new TreeSet<>(allowed)) + ")");
        }
        for (NodeTuple t : m.getValue()) {
            String key = t.getKeyNode() instanceof ScalarNode s ? s.getValue() : null;
            String at = join(path, String.valueOf(key));
            if (key == null || !allowed.contains(key)) {
                throw error(t.getKeyNode(), at, "unknown key; allowed here: " + String.join(", ", new TreeSet<>(allowed)));
            }
            if (entries.put(key, t) != null) {
                throw error(t.getKeyNode(), at, "given twice");
            }
        }
    }

    /** The top mapping of {@code text}; a YAML syntax error is reported with its line too. */
    static YamlSection root(String file, String text, Set<String> allowed) {
        Node n;
        try {
            n = new Compose(LoadSettings.builder().setLabel(file).build()).composeString(text)
                    .orElseThrow(() -> new RecipeException(file, 1, "", "the recipe is empty"));
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(1);
            throw new RecipeException(file, line, "", "not valid YAML: " + e.getProblem());
        } catch (YamlEngineException e) {
            throw new RecipeException(file, 1, "", "not valid YAML: " + e.getMessage());
        }
        return new YamlSection(file, "", n, allowed);
    }

    boolean has(String key) {
        return entries.containsKey(key);
    }

    String string(String key, String def) {
        Node v = value(key);
        return v == null ? def : scalar(key, v, "a string", Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL);
    }

    double number(String key, double def, double min, double max) {
        Node v = value(key);
        return v == null ? def : number(key, v, min, max);
    }

    int integer(String key, int def, int min) {
        Node v = value(key);
        return v == null ? def : integer(key, v, min);
    }

    boolean bool(String key, boolean def) {
        Node v = value(key);
        return v == null ? def : Boolean.parseBoolean(scalar(key, v, "true or false", Tag.BOOL));
    }

    /** One of {@code allowed}'s keys (case-insensitive), as its value. */
    <E> E choice(String key, Map<String, E> allowed, E def) {
        Node v = value(key);
        return v == null ? def : choice(key, v, allowed);
    }

    /** A value or a list of values, each read by {@code one} (a sweep axis); {@code def} when absent. */
    <T> List<T> list(String key, List<T> def, Function<Node, T> one) {
        Node v = value(key);
        if (v == null) {
            return def;
        }
        List<T> out = new ArrayList<>();
        if (v instanceof SequenceNode s) {
            if (s.getValue().isEmpty()) {
                throw error(v, join(path, key), "an empty list; give at least one value");
            }
            s.getValue().forEach(n -> out.add(one.apply(n)));
        } else {
            out.add(one.apply(v));
        }
        return List.copyOf(out);
    }

    List<String> strings(String key, List<String> def) {
        return list(key, def, n -> scalar(key, n, "a string", Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL));
    }

    List<Double> numbers(String key, List<Double> def, double min, double max) {
        return list(key, def, n -> number(key, n, min, max));
    }

    List<Integer> integers(String key, List<Integer> def, int min) {
        return list(key, def, n -> integer(key, n, min));
    }

    <E> List<E> choices(String key, Map<String, E> allowed, List<E> def) {
        return list(key, def, n -> choice(key, n, allowed));
    }

    /** The mapping under {@code key}, or null when absent. */
    YamlSection section(String key, Set<String> allowed) {
        Node v = value(key);
        return v == null ? null : new YamlSection(file, join(path, key), v, allowed);
    }

    /** A mapping or a list of mappings under {@code key} (empty when absent). */
    List<YamlSection> sections(String key, Set<String> allowed) {
        Node v = value(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof SequenceNode s)) {
            return List.of(new YamlSection(file, join(path, key), v, allowed));
        }
        List<YamlSection> out = new ArrayList<>();
        for (int i = 0; i < s.getValue().size(); i++) {
            out.add(new YamlSection(file, join(path, key) + "[" + i + "]", s.getValue().get(i), allowed));
        }
        return out;
    }

    /** An error at {@code key} of this section (or the section itself when {@code key} is null). */
    RecipeException fail(String key, String message) {
        Node at = key == null || !entries.containsKey(key) ? node : entries.get(key).getValueNode();
        return error(at, key == null ? path : join(path, key), message);
    }

    private Node value(String key) {
        NodeTuple t = entries.get(key);
        return t == null ? null : t.getValueNode();
    }

    private String scalar(String key, Node v, String what, Tag... tags) {
        if (v instanceof ScalarNode s) {
            for (Tag t : tags) {
                if (t.equals(s.getTag())) {
                    return s.getValue();
                }
            }
            throw error(v, join(path, key), "'" + s.getValue() + "' is not " + what);
        }
        throw error(v, join(path, key), "expected " + what + ", found a " + v.getNodeType().name().toLowerCase(Locale.ROOT));
    }

    private double number(String key, Node v, double min, double max) {
        double d = Double.parseDouble(scalar(key, v, "a number", Tag.INT, Tag.FLOAT));
        if (!(d >= min && d <= max)) {
            throw error(v, join(path, key), d + " is out of range; allowed: " + min + " to " + max);
        }
        return d;
    }

    private int integer(String key, Node v, int min) {
        long n = Long.parseLong(scalar(key, v, "an integer", Tag.INT));
        if (n < min || n > Integer.MAX_VALUE) {
            throw error(v, join(path, key), n + " is out of range; allowed: an integer >= " + min);
        }
        return (int) n;
    }

    private <E> E choice(String key, Node v, Map<String, E> allowed) {
        String s = scalar(key, v, "one of " + String.join(", ", allowed.keySet()), Tag.STR);
        E e = allowed.get(s.toLowerCase(Locale.ROOT));
        if (e == null) {
            throw error(v, join(path, key), "'" + s + "' is not allowed; allowed: " + String.join(", ", allowed.keySet()));
        }
        return e;
    }

    private RecipeException error(Node n, String at, String message) {
        int line = n.getStartMark().map(m -> m.getLine() + 1).orElse(1);
        return new RecipeException(file, line, at, message);
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}
