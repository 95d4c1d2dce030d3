package prunekit.prune.budget;

/**
 * How attention is cut so that every KV group keeps the same size: whole KV groups (KV heads
 * shrink, the group size stays), or the same number of query heads from every group (KV heads stay).
 */
public enum AttentionUnit { KV_GROUPS, QUERY_HEADS }
