package prunekit.export.onnx;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX graph being assembled: nodes in topological order (the order they are added), graph
 * inputs and outputs, and initializers. Checks as it goes that every value is defined once and
 * every node input is defined before it is used.
 */
public final class Graph {
    private final String name;
    private final List<Node> nodes = new ArrayList<>();
    private final List<ValueInfo> inputs = new ArrayList<>();
    private final List<ValueInfo> outputs = new ArrayList<>();
    private final Map<String, Initializer> initializers = new LinkedHashMap<>();
    private final Set<String> defined = new HashSet<>();

    public Graph(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public void addInput(ValueInfo v) {
        define(v.name());
        inputs.add(v);
    }

    /** Declares a graph output; the value must already be produced by a node. */
    public void addOutput(ValueInfo v) {
        if (!defined.contains(v.name())) {
            throw new IllegalStateException("graph output " + v.name() + " is not produced by any node");
        }
        outputs.add(v);
    }

    public void addInitializer(Initializer t) {
        define(t.name());
        initializers.put(t.name(), t);
    }

    public void addNode(Node n) {
        for (String in : n.inputs()) {
            if (!in.isEmpty() && !defined.contains(in)) {
                throw new IllegalStateException("node " + n.name() + " (" + n.opType() + ") reads " + in
                        + " before anything defines it");
            }
        }
        for (String out : n.outputs()) {
            if (!out.isEmpty()) {
                define(out);
            }
        }
        nodes.add(n);
    }

    private void define(String value) {
        if (value.isEmpty() || !defined.add(value)) {
            throw new IllegalStateException("value name '" + value + "' is empty or defined twice in graph " + name);
        }
    }

    public List<Node> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    public List<ValueInfo> inputs() {
        return Collections.unmodifiableList(inputs);
    }

    public List<ValueInfo> outputs() {
        return Collections.unmodifiableList(outputs);
    }

    public List<Initializer> initializers() {
        return List.copyOf(initializers.values());
    }

    /** Total bytes of initializer data. */
    public long initializerBytes() {
        return initializers.values().stream().mapToLong(Initializer::byteLength).sum();
    }
}
