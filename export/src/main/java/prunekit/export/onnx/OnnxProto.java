package prunekit.export.onnx;

import java.util.Map;

/**
 * Encodes prunekit's ONNX types as protobuf messages, using the field numbers published in
 * onnx.proto (IR version 8). Only the messages and fields prunekit writes are covered: ModelProto,
 * GraphProto, NodeProto, AttributeProto, TensorProto (raw or external data), ValueInfoProto,
 * TypeProto.Tensor, TensorShapeProto, OperatorSetIdProto and StringStringEntryProto.
 */
public final class OnnxProto {
    private OnnxProto() {
    }

    /** Where an initializer's bytes live when they are stored outside the .onnx file. */
    public record ExternalRef(String location, long offset, long length) {
    }

    // ModelProto
    private static final int MODEL_IR_VERSION = 1, MODEL_PRODUCER_NAME = 2, MODEL_PRODUCER_VERSION = 3,
            MODEL_DOC = 6, MODEL_GRAPH = 7, MODEL_OPSET_IMPORT = 8, MODEL_METADATA = 14;
    // OperatorSetIdProto, StringStringEntryProto
    private static final int OPSET_DOMAIN = 1, OPSET_VERSION = 2, ENTRY_KEY = 1, ENTRY_VALUE = 2;
    // GraphProto
    private static final int GRAPH_NODE = 1, GRAPH_NAME = 2, GRAPH_INITIALIZER = 5, GRAPH_INPUT = 11,
            GRAPH_OUTPUT = 12;
    // NodeProto
    private static final int NODE_INPUT = 1, NODE_OUTPUT = 2, NODE_NAME = 3, NODE_OP_TYPE = 4,
            NODE_ATTRIBUTE = 5, NODE_DOMAIN = 7;
    // AttributeProto
    private static final int ATTR_NAME = 1, ATTR_F = 2, ATTR_I = 3, ATTR_T = 5, ATTR_INTS = 8,
            ATTR_TYPE = 20;
    // TensorProto
    private static final int TENSOR_DIMS = 1, TENSOR_DATA_TYPE = 2, TENSOR_NAME = 8, TENSOR_RAW_DATA = 9,
            TENSOR_EXTERNAL_DATA = 13, TENSOR_DATA_LOCATION = 14, DATA_LOCATION_EXTERNAL = 1;
    // ValueInfoProto, TypeProto, TypeProto.Tensor, TensorShapeProto(.Dimension)
    private static final int VALUE_NAME = 1, VALUE_TYPE = 2, TYPE_TENSOR = 1, TENSOR_TYPE_ELEM = 1,
            TENSOR_TYPE_SHAPE = 2, SHAPE_DIM = 1, DIM_VALUE = 1, DIM_PARAM = 2;

    /** The whole model; initializers named in {@code external} are written as references only. */
    public static ProtoMessage model(ModelSpec spec, Map<String, ExternalRef> external) {
        ProtoMessage m = new ProtoMessage().int64(MODEL_IR_VERSION, spec.irVersion());
        for (Map.Entry<String, Integer> e : spec.opsets().entrySet()) {
            m.message(MODEL_OPSET_IMPORT, new ProtoMessage().string(OPSET_DOMAIN, e.getKey())
                    .int64(OPSET_VERSION, e.getValue()));
        }
        m.string(MODEL_PRODUCER_NAME, spec.producerName()).string(MODEL_PRODUCER_VERSION, spec.producerVersion());
        if (spec.docString() != null && !spec.docString().isEmpty()) {
            m.string(MODEL_DOC, spec.docString());
        }
        m.message(MODEL_GRAPH, graph(spec.graph(), external));
        spec.metadata().forEach((k, v) -> m.message(MODEL_METADATA, entry(k, v)));
        return m;
    }

    public static ProtoMessage graph(Graph g, Map<String, ExternalRef> external) {
        ProtoMessage m = new ProtoMessage();
        for (Node n : g.nodes()) {
            m.message(GRAPH_NODE, node(n));
        }
        m.string(GRAPH_NAME, g.name());
        for (Initializer t : g.initializers()) {
            m.message(GRAPH_INITIALIZER, tensor(t, external.get(t.name())));
        }
        for (ValueInfo v : g.inputs()) {
            m.message(GRAPH_INPUT, valueInfo(v));
        }
        for (ValueInfo v : g.outputs()) {
            m.message(GRAPH_OUTPUT, valueInfo(v));
        }
        return m;
    }

    public static ProtoMessage node(Node n) {
        ProtoMessage m = new ProtoMessage();
        n.inputs().forEach(in -> m.string(NODE_INPUT, in));
        n.outputs().forEach(out -> m.string(NODE_OUTPUT, out));
        m.string(NODE_NAME, n.name()).string(NODE_OP_TYPE, n.opType());
        n.attributes().forEach(a -> m.message(NODE_ATTRIBUTE, attribute(a)));
        if (!n.domain().isEmpty()) {
            m.string(NODE_DOMAIN, n.domain());
        }
        return m;
    }

    public static ProtoMessage attribute(Attribute a) {
        ProtoMessage m = new ProtoMessage().string(ATTR_NAME, a.name());
        if (a instanceof Attribute.Int i) {
            m.int64(ATTR_I, i.value()).int64(ATTR_TYPE, Attribute.INT);
        } else if (a instanceof Attribute.Float f) {
            m.float32(ATTR_F, f.value()).int64(ATTR_TYPE, Attribute.FLOAT);
        } else if (a instanceof Attribute.Ints is) {
            m.packedInt64(ATTR_INTS, is.values()).int64(ATTR_TYPE, Attribute.INTS);
        } else if (a instanceof Attribute.TensorValue t) {
            m.message(ATTR_T, tensor(t.value(), null)).int64(ATTR_TYPE, Attribute.TENSOR);
        } else {
            throw new IllegalArgumentException("unsupported attribute " + a);
        }
        return m;
    }

    /** A TensorProto with its bytes inline (streamed when written) or, with {@code ref}, external. */
    public static ProtoMessage tensor(Initializer t, ExternalRef ref) {
        ProtoMessage m = new ProtoMessage().packedInt64(TENSOR_DIMS, t.dims())
                .int64(TENSOR_DATA_TYPE, t.type().onnxCode).string(TENSOR_NAME, t.name());
        if (ref == null) {
            m.streamedBytes(TENSOR_RAW_DATA, t.byteLength(), out -> t.writeTo(chunk ->
                    out.writeRawBytes(chunk.array(), chunk.arrayOffset() + chunk.position(), chunk.remaining())));
        } else {
            m.message(TENSOR_EXTERNAL_DATA, entry("location", ref.location()));
            m.message(TENSOR_EXTERNAL_DATA, entry("offset", Long.toString(ref.offset())));
            m.message(TENSOR_EXTERNAL_DATA, entry("length", Long.toString(ref.length())));
            m.int64(TENSOR_DATA_LOCATION, DATA_LOCATION_EXTERNAL);
        }
        return m;
    }

    public static ProtoMessage valueInfo(ValueInfo v) {
        ProtoMessage shape = new ProtoMessage();
        for (Object d : v.dims()) {
            shape.message(SHAPE_DIM, d instanceof Long n
                    ? new ProtoMessage().int64(DIM_VALUE, n)
                    : new ProtoMessage().string(DIM_PARAM, (String) d));
        }
        ProtoMessage tensorType = new ProtoMessage().int64(TENSOR_TYPE_ELEM, v.type().onnxCode)
                .message(TENSOR_TYPE_SHAPE, shape);
        return new ProtoMessage().string(VALUE_NAME, v.name())
                .message(VALUE_TYPE, new ProtoMessage().message(TYPE_TENSOR, tensorType));
    }

    private static ProtoMessage entry(String key, String value) {
        return new ProtoMessage().string(ENTRY_KEY, key).string(ENTRY_VALUE, value);
    }
}
