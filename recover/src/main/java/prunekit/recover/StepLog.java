package prunekit.recover;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * One entry per optimizer step, steps consecutive, the validation loss attached to the step that
 * validated. The bookkeeping shared by {@link TrainLog} and {@link RecoverLog}, which add their
 * own entry fields and JSON form.
 */
public abstract class StepLog<E extends StepLog.Step<E>> {
    /** What every log entry has. */
    public interface Step<E> {
        int step();

        Double validLoss();

        String skipReason();

        /** The same entry with its validation loss set. */
        E withValid(double loss);

        default boolean skipped() {
            return skipReason() != null;
        }
    }

    private final List<E> entries = new ArrayList<>();

    public void add(E e) {
        if (!entries.isEmpty() && e.step() != last().step() + 1) {
            throw new IllegalStateException("log entry for step " + e.step() + " after step " + last().step());
        }
        entries.add(e);
    }

    /** Records the validation loss of the last step. */
    public void setValidLoss(double loss) {
        entries.set(entries.size() - 1, last().withValid(loss));
    }

    public List<E> entries() {
        return List.copyOf(entries);
    }

    public E last() {
        return entries.get(entries.size() - 1);
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public long skippedCount() {
        return entries.stream().filter(Step::skipped).count();
    }

    /** The last validation loss recorded, if any. */
    public OptionalDouble lastValidLoss() {
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.get(i).validLoss() != null) {
                return OptionalDouble.of(entries.get(i).validLoss());
            }
        }
        return OptionalDouble.empty();
    }
}
