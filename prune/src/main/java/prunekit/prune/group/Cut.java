package prunekit.prune.group;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.TensorNames;
import prunekit.core.model.TensorNames.Proj;

/**
 * What stays of a set of {@link ModelTensors} when some coupling groups are removed: along every
 * dimension of every tensor, the indices that no removed group's slice covers. The planner counts
 * the parameters that stay, surgery and the oracle cut tensors with it. A tensor with nothing left
 * along a dimension is gone; a layer whose norm weights are gone is removed and the layers after it
 * move up.
 */
public final class Cut {
    private final ModelTensors tensors;
    private final Map<String, BitSet[]> removed = new HashMap<>(); // tensor -> removed indices per dimension

    Cut(ModelTensors tensors, Collection<? extends CouplingGroup> groups) {
        this.tensors = tensors;
        for (CouplingGroup g : groups) {
            for (Slice s : g.slices(tensors.config())) {
                int[] shape = tensors.shapes().get(s.tensor());
                if (shape == null) {
                    continue; // e.g. the bias slice of a model without biases
                }
                if (s.dim() >= shape.length || s.start() + s.length() > shape[s.dim()]) {
                    throw new IllegalArgumentException("group " + g + ": slice " + s + " does not fit tensor "
                            + s.tensor() + " " + Arrays.toString(shape) + "; the group is not of this model");
                }
                removed.computeIfAbsent(s.tensor(), k -> new BitSet[] {new BitSet(), new BitSet()})[s.dim()]
                        .set(s.start(), s.start() + s.length());
            }
        }
    }

    /** Whether something of {@code tensor} stays (every dimension keeps an index). */
    public boolean keeps(String tensor) {
        return keptParameters(tensor) > 0;
    }

    /** Whether index {@code i} along dimension {@code dim} of {@code tensor} is cut out. */
    public boolean removes(String tensor, int dim, int i) {
        return removedAt(tensor, dim).get(i);
    }

    /** The indices along dimension {@code dim} of {@code tensor} that stay, ascending. */
    public int[] kept(String tensor, int dim) {
        BitSet r = removedAt(tensor, dim);
        return IntStream.range(0, shape(tensor)[dim]).filter(i -> !r.get(i)).toArray();
    }

    /** Parameters that stay. */
    public long parameters() {
        return tensors.shapes().keySet().stream().mapToLong(this::keptParameters).sum();
    }

    /** Parameters of {@code tensor} that stay. */
    private long keptParameters(String tensor) {
        return FloatTensor.numel(keptShape(tensor));
    }

    /** The shape of what stays of {@code tensor}. */
    public int[] keptShape(String tensor) {
        return IntStream.range(0, shape(tensor).length).map(d -> keptCount(tensor, d)).toArray();
    }

    /** What stays of one tensor (always a copy). */
    public FloatTensor apply(String tensor, FloatTensor t) {
        if (!Arrays.equals(t.shape(), shape(tensor))) {
            throw new IllegalArgumentException("tensor " + tensor + " has shape " + Arrays.toString(t.shape())
                    + " but the cut was made for " + Arrays.toString(shape(tensor)));
        }
        if (t.rank() == 1) {
            return t.selectElements(kept(tensor, 0));
        }
        boolean rows = keptCount(tensor, 0) < t.dim(0);
        boolean cols = keptCount(tensor, 1) < t.dim(1);
        FloatTensor r = rows || !cols ? t.selectRows(kept(tensor, 0)) : t;
        return cols ? r.selectColumns(kept(tensor, 1)) : r;
    }

    /**
     * The cut model's weights from {@code full}, which holds exactly these tensors: every tensor
     * cut, removed layers dropped and the rest renumbered, the config computed from the new shapes.
     */
    public LlamaWeights apply(Map<String, FloatTensor> full, DType storedDtype) {
        if (!full.keySet().equals(tensors.shapes().keySet())) {
            throw new IllegalArgumentException("the cut was made for tensors " + tensors.shapes().keySet()
                    + " but was given " + full.keySet());
        }
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        sources().forEach((name, old) -> out.put(name, apply(old, full.get(old))));
        return new LlamaWeights(config(), out, storedDtype);
    }

    /** The cut model's config, computed from the shapes that stay (removed layers dropped). */
    public LlamaConfig config() {
        LlamaConfig c = tensors.config();
        List<LayerShape> layers = new ArrayList<>();
        for (int i = 0; i < c.numLayers(); i++) {
            if (keeps(TensorNames.inputNorm(i))) {
                layers.add(new LayerShape(rows(TensorNames.weight(i, Proj.Q)) / c.headDim(),
                        rows(TensorNames.weight(i, Proj.K)) / c.headDim(), rows(TensorNames.weight(i, Proj.GATE))));
            }
        }
        return c.toBuilder().hidden(keptCount(TensorNames.EMBED, 1)).layers(layers)
                .attentionBias(c.attentionBias() || tensors.hasBiases(true)).mlpBias(c.mlpBias() || tensors.hasBiases(false))
                .build();
    }

    /**
     * Every tensor of the cut model (its checkpoint order, renumbered names) with the tensor it is
     * cut from: what surgery produces one tensor at a time with {@link #apply(String, FloatTensor)}.
     */
    public Map<String, String> sources() {
        LlamaConfig c = tensors.config();
        int[] newIndex = new int[c.numLayers()]; // -1: removed
        for (int i = 0, n = 0; i < c.numLayers(); i++) {
            newIndex[i] = keeps(TensorNames.inputNorm(i)) ? n++ : -1;
        }
        Map<String, String> byNew = new LinkedHashMap<>();
        for (String name : tensors.shapes().keySet()) {
            if (keeps(name)) {
                byNew.put(renumbered(name, newIndex), name);
            }
        }
        Map<String, String> ordered = new LinkedHashMap<>();
        for (String name : LlamaWeights.expectedShapes(config()).keySet()) {
            String old = byNew.get(name);
            if (old == null) {
                throw new IllegalStateException("the cut model needs " + name + " but no tensor of the cut gives it");
            }
            ordered.put(name, old);
        }
        if (ordered.size() != byNew.size()) {
            throw new IllegalStateException("the cut keeps tensors the cut model has no place for: " + byNew.keySet());
        }
        return ordered;
    }

    /** {@code name} with its layer index (if any) replaced by the layer's new one. */
    private static String renumbered(String name, int[] newIndex) {
        String prefix = TensorNames.layer(0).substring(0, TensorNames.layer(0).length() - 2); // "model.layers."
        if (!name.startsWith(prefix)) {
            return name;
        }
        int end = name.indexOf('.', prefix.length());
        int i = Integer.parseInt(name.substring(prefix.length(), end));
        if (newIndex[i] < 0) {
            throw new IllegalStateException("the cut keeps " + name + " of a removed layer");
        }
        return TensorNames.layer(newIndex[i]) + name.substring(end + 1);
    }

    /** Rows that stay of a weight, 0 when it is absent or gone. */
    private int rows(String weight) {
        return tensors.shapes().containsKey(weight) && keeps(weight) ? keptCount(weight, 0) : 0;
    }

    private int keptCount(String tensor, int dim) {
        return shape(tensor)[dim] - removedAt(tensor, dim).cardinality();
    }

    private BitSet removedAt(String tensor, int dim) {
        BitSet[] r = removed.get(tensor);
        return r == null ? new BitSet() : r[dim];
    }

    private int[] shape(String tensor) {
        int[] s = tensors.shapes().get(tensor);
        if (s == null) {
            throw new IllegalArgumentException("no tensor " + tensor + " among those cut");
        }
        return s;
    }
}
