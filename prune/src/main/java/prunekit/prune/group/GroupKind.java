package prunekit.prune.group;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;

/**
 * The kinds of {@link CouplingGroup}, with their JSON ids. Scores of a kind are laid out as rows:
 * one row per layer for the per-layer kinds (heads, channels, blocks: one value per row), a single
 * row for {@link #HIDDEN_CHANNEL}.
 */
public enum GroupKind {
    KV_GROUP, QUERY_HEAD, MLP_CHANNEL, HIDDEN_CHANNEL, ATTENTION_BLOCK, MLP_BLOCK, LAYER;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static GroupKind fromId(String id) {
        for (GroupKind k : values()) {
            if (k.id().equals(id) || k.name().equalsIgnoreCase(id.replace('-', '_'))) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown group kind '" + id + "'; use one of " + List.of(values()));
    }

    public boolean isBlock() {
        return this == ATTENTION_BLOCK || this == MLP_BLOCK || this == LAYER;
    }

    /** Number of groups of this kind in layer {@code layer} (row {@code layer}; HIDDEN_CHANNEL has one row). */
    public int count(LlamaConfig c, int row) {
        if (this == HIDDEN_CHANNEL) {
            return c.hidden();
        }
        LayerShape s = c.layer(row);
        return switch (this) {
            case KV_GROUP -> s.kvHeads();
            case QUERY_HEAD -> s.queryHeads();
            case MLP_CHANNEL -> s.ffn();
            case ATTENTION_BLOCK -> s.hasAttention() ? 1 : 0;
            case MLP_BLOCK -> s.hasMlp() ? 1 : 0;
            case LAYER -> 1;
            default -> throw new IllegalStateException(name());
        };
    }

    public int rows(LlamaConfig c) {
        return this == HIDDEN_CHANNEL ? 1 : c.numLayers();
    }

    /** The group at (row, index). */
    public CouplingGroup group(int row, int index) {
        return switch (this) {
            case KV_GROUP -> new CouplingGroup.KvGroup(row, index);
            case QUERY_HEAD -> new CouplingGroup.QueryHead(row, index);
            case MLP_CHANNEL -> new CouplingGroup.MlpChannel(row, index);
            case HIDDEN_CHANNEL -> new CouplingGroup.HiddenChannel(index);
            case ATTENTION_BLOCK -> new CouplingGroup.AttentionBlock(row);
            case MLP_BLOCK -> new CouplingGroup.MlpBlock(row);
            case LAYER -> new CouplingGroup.Layer(row);
        };
    }

    /** Every group of this kind, row by row. */
    public List<List<CouplingGroup>> groups(LlamaConfig c) {
        List<List<CouplingGroup>> rows = new ArrayList<>();
        for (int r = 0; r < rows(c); r++) {
            List<CouplingGroup> row = new ArrayList<>();
            for (int i = 0; i < count(c, r); i++) {
                row.add(group(r, i));
            }
            rows.add(row);
        }
        return rows;
    }
}
