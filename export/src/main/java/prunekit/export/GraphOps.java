package prunekit.export;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import prunekit.export.onnx.Attribute;
import prunekit.export.onnx.DataType;
import prunekit.export.onnx.Graph;
import prunekit.export.onnx.Initializer;
import prunekit.export.onnx.Node;

/**
 * Adds nodes to a {@link Graph} with readable, unique names: a node called {@code /layers.3/attn/q_proj}
 * produces the value {@code /layers.3/attn/q_proj/out}. Small constants (shape vectors, scalars)
 * become initializers, each distinct value once.
 */
final class GraphOps {
    static final String MS_DOMAIN = "com.microsoft";

    private final Graph graph;
    private final Map<String, Integer> used = new HashMap<>();
    private final Map<String, String> constants = new HashMap<>();

    GraphOps(Graph graph) {
        this.graph = graph;
    }

    Graph graph() {
        return graph;
    }

    /** A standard-domain node with one output; returns the output's name. */
    String op(String path, String opType, List<String> inputs, Attribute... attributes) {
        return opIn(path, opType, "", inputs, 1, attributes)[0];
    }

    /** A node of any domain with {@code outputs} outputs; returns their names. */
    String[] opIn(String path, String opType, String domain, List<String> inputs, int outputs,
                  Attribute... attributes) {
        String name = unique(path);
        String[] outs = new String[outputs];
        for (int i = 0; i < outputs; i++) {
            outs[i] = outputs == 1 ? name + "/out" : name + "/out" + i;
        }
        graph.addNode(new Node(name, opType, domain, inputs, List.of(outs), List.of(attributes)));
        return outs;
    }

    /** A node whose outputs get the given names (graph outputs such as {@code present.0.key}; "" = unused). */
    void opNamed(String path, String opType, String domain, List<String> inputs, List<String> outputs,
                 Attribute... attributes) {
        graph.addNode(new Node(unique(path), opType, domain, inputs, outputs, List.of(attributes)));
    }

    String op(String path, String opType, String... inputs) {
        return op(path, opType, List.of(inputs));
    }

    /** An int64 vector constant, e.g. a Reshape target {@code [0, 0, 8, 64]}. */
    String ints(long... values) {
        return constant("const_i64_" + key(values), () -> Initializer.ofInts(
                "const_i64_" + key(values), DataType.INT64, new long[] {values.length}, values));
    }

    /** An int64 scalar constant. */
    String intScalar(long value) {
        String name = "const_i64_scalar_" + key(new long[] {value});
        return constant(name, () -> Initializer.ofInts(name, DataType.INT64, new long[0], value));
    }

    /** An fp32 scalar constant. */
    String floatScalar(float value) {
        String name = "const_f32_" + Float.toString(value).replace('-', 'm');
        return constant(name, () -> Initializer.ofFloats(name, new long[0], value));
    }

    private String constant(String name, java.util.function.Supplier<Initializer> make) {
        return constants.computeIfAbsent(name, n -> {
            graph.addInitializer(make.get());
            return n;
        });
    }

    private static String key(long[] values) {
        return Arrays.stream(values).mapToObj(v -> Long.toString(v).replace('-', 'm')).collect(Collectors.joining("_"));
    }

    private String unique(String path) {
        int n = used.merge(path, 1, Integer::sum);
        return n == 1 ? path : path + "_" + n;
    }

    // ---- a few ops used in several places ----

    String reshape(String path, String x, long... shape) {
        return op(path + "/Reshape", "Reshape", x, ints(shape));
    }

    String transpose(String path, String x, long... perm) {
        return op(path + "/Transpose", "Transpose", List.of(x), Attribute.ints("perm", perm));
    }

    String unsqueeze(String path, String x, long... axes) {
        return op(path + "/Unsqueeze", "Unsqueeze", x, ints(axes));
    }

    String cast(String path, String x, DataType to) {
        return op(path + "/Cast", "Cast", List.of(x), Attribute.of("to", (long) to.onnxCode));
    }

    /** {@code Shape(x)[start:end]} as an int64 vector. */
    String shape(String path, String x, long start, long end) {
        return op(path + "/Shape", "Shape", List.of(x), Attribute.of("start", start), Attribute.of("end", end));
    }
}
