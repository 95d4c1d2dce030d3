package prunekit.prune.surgery;

import prunekit.calibrate.ActivationStats;

/**
 * Surgery options: with {@code biasCompensation} (FLAP) the removed channels' mean contribution
 * becomes a bias of o_proj / down_proj, which needs the calibration {@code stats} of the original model.
 */
public record SurgeryOptions(boolean biasCompensation, ActivationStats stats) {
    public SurgeryOptions {
        if (biasCompensation && stats == null) {
            throw new IllegalArgumentException("bias compensation needs the calibration statistics of the original model");
        }
    }

    public static SurgeryOptions plain() {
        return new SurgeryOptions(false, null);
    }
}
