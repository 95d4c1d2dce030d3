package prunekit.pipeline;

/**
 * Where long stages report progress. The CLI draws a bar on stderr; a library caller may pass
 * {@link #NONE}. Stages never print by themselves.
 */
@FunctionalInterface
public interface ProgressBars {
    /** A bar that stays silent. */
    ProgressBars NONE = (label, total, unit) -> new Bar() {
        @Override
        public void update(long done, String extra) {
        }

        @Override
        public void finish(long done, String extra) {
        }
    };

    Bar start(String label, long total, String unit);

    /** One bar: {@code done} of its total, with a short free text after it. */
    interface Bar {
        void update(long done, String extra);

        void finish(long done, String extra);
    }
}
