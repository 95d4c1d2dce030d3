package prunekit.pipeline.recipe;

import java.nio.file.Path;
import prunekit.pipeline.ProgressBars;

/**
 * The child process of {@link RecipeResumeTest}: runs the tiny recipe and, at recovery step 5,
 * prints {@value #SIGNAL} and waits there until the test kills it with SIGKILL.
 */
public final class KilledRun {
    static final String SIGNAL = "recover at step 5: kill me";

    private KilledRun() {
    }

    public static void main(String[] args) throws Exception {
        ProgressBars stopAtStep5 = (label, total, unit) -> new ProgressBars.Bar() {
            @Override
            public void update(long done, String extra) {
                if (label.equals("recover") && done == 5) {
                    System.out.println(SIGNAL);
                    System.out.flush();
                    while (true) {
                        try {
                            Thread.sleep(60_000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }
            }

            @Override
            public void finish(long done, String extra) {
            }
        };
        TinyRecipe.run(Path.of(args[0]), Path.of(args[1]), null, stopAtStep5);
        System.out.println("finished without being killed");
    }
}
