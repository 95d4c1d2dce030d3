package prunekit.export.onnx;

import java.util.List;

/**
 * One graph node. An empty string in {@code inputs} marks an omitted optional input, as ONNX
 * requires. {@code domain} is "" for standard ONNX ops and e.g. "com.microsoft" for contrib ops.
 */
public record Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                   List<Attribute> attributes) {
    public Node {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        attributes = List.copyOf(attributes);
        if (opType.isEmpty() || outputs.isEmpty()) {
            throw new IllegalArgumentException("node " + name + " needs an op type and at least one output");
        }
    }
}
