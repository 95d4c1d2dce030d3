package prunekit.viz;

import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** viz uses core's file helpers only; DJL must stay off its class path (see viz/pom.xml). */
class VizHasNoDjlTest {
    @Test
    void djlIsNotOnTheClassPath() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("ai.djl.ndarray.NDArray"),
                "DJL reached viz through a dependency; exclude it in viz/pom.xml");
    }
}
