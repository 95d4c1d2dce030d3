package prunekit.export.onnx;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything that goes into a ModelProto besides the graph's own contents: IR version, the
 * operator sets imported (domain → version; "" is the standard ONNX domain), producer and
 * free-form metadata.
 */
public record ModelSpec(Graph graph, long irVersion, Map<String, Integer> opsets, String producerName,
                        String producerVersion, String docString, Map<String, String> metadata) {
    public ModelSpec {
        opsets = new LinkedHashMap<>(opsets);
        metadata = new LinkedHashMap<>(metadata);
        if (!opsets.containsKey("")) {
            throw new IllegalArgumentException("a model must import the standard ONNX opset (domain \"\")");
        }
    }
}
