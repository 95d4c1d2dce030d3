package prunekit.recover;

import java.util.Locale;

/**
 * What recovery minimizes: next-token cross-entropy on the data ({@code ce}), distillation from the
 * dense teacher ({@code kd}: KL(teacher_T ‖ student_T) · T²), or {@code mix}: α·KD + (1 − α)·CE.
 */
public enum LossKind {
    CE, KD, MIX;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the loss needs the teacher's outputs. */
    public boolean needsTeacher() {
        return this != CE;
    }

    public static LossKind parse(String s) {
        for (LossKind k : values()) {
            if (k.id().equals(s.trim().toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown loss '" + s + "'; use ce, kd or mix");
    }
}
