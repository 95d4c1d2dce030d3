package prunekit.prune.recon;

/** What the least-squares refit of a pruned sub-block reproduces on the calibration tokens. */
public enum RefitTarget {
    /** The sub-block's own unpruned output on its current (already pruned-below) inputs. */
    SELF,
    /** The dense model's output of the same sub-block, on the dense model's inputs. */
    DENSE,
    /**
     * The dense model's residual stream after the sub-block minus the pruned stream before it:
     * the sub-block also absorbs the error the layers below left behind.
     */
    DENSE_RESIDUAL;

    boolean needsDenseStream() {
        return this != SELF;
    }
}
