package prunekit.viz;

/**
 * Puts AWT into headless mode before the first chart is built or drawn, so rendering works on
 * servers and in CI without a display. A value the user set explicitly is left alone.
 */
final class Headless {
    private Headless() {
    }

    static void ensure() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }
}
