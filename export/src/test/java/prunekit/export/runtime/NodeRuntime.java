package prunekit.export.runtime;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import prunekit.core.SharedFiles;

/**
 * A real JavaScript runtime package (node-llama-cpp, transformers.js) run by {@code node} on a test
 * script from this module's resources. The packages live outside the repo, in the folder given by
 * the system property or environment variable {@code PRUNEKIT_NODE_MODULES} (a {@code node_modules}
 * directory; default {@code ~/.cache/prunekit/node/node_modules}, where {@code .ci/run} installs them).
 * A test that needs an absent runtime is skipped, saying what is missing and how to install it.
 */
final class NodeRuntime {
    private final Path nodeModules;

    private NodeRuntime(Path nodeModules) {
        this.nodeModules = nodeModules;
    }

    /** The runtime with {@code npmPackage} installed, or the calling test is skipped loudly. */
    static NodeRuntime require(String npmPackage, String installHint) {
        String configured = System.getProperty("PRUNEKIT_NODE_MODULES", System.getenv("PRUNEKIT_NODE_MODULES"));
        Path modules = configured != null ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "prunekit", "node", "node_modules");
        String missing = null;
        if (!nodeWorks()) {
            missing = "node is not on PATH";
        } else if (!Files.isRegularFile(modules.resolve(npmPackage).resolve("package.json"))) {
            missing = npmPackage + " is not installed in " + modules;
        }
        if (missing != null) {
            String msg = "SKIPPED (needs " + npmPackage + "): " + missing + "; install it with: " + installHint
                    + " (or set PRUNEKIT_NODE_MODULES to a node_modules folder that has it)";
            System.err.println(msg);
            Assumptions.assumeTrue(false, msg);
        }
        return new NodeRuntime(modules);
    }

    private static boolean nodeWorks() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs test resource {@code script} with {@code args}; returns the JSON objects it printed, one per line. */
    List<JsonObject> run(String script, List<String> args, long timeoutSeconds) throws IOException, InterruptedException {
        Path file = SharedFiles.projectRoot().resolve("export/src/test/resources").resolve(script);
        List<String> cmd = new ArrayList<>(List.of("node", file.toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(nodeModules.getParent().toFile());
        pb.environment().put("PRUNEKIT_NODE_MODULES", nodeModules.toString());
        Path err = Files.createTempFile("prunekit-node", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        String stderr = Files.readString(err);
        Files.deleteIfExists(err);
        if (!done) {
            p.destroyForcibly();
            throw new IllegalStateException(script + " ran past " + timeoutSeconds + " s; stderr:\n" + stderr);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(script + " " + args + " exited with " + p.exitValue() + "; stderr:\n" + stderr
                    + "\nstdout:\n" + out);
        }
        List<JsonObject> lines = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("{")) {
                lines.add(JsonParser.parseString(line).getAsJsonObject());
            }
        }
        return lines;
    }

    static int[] ints(JsonArray a) {
        int[] v = new int[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).getAsInt();
        }
        return v;
    }
}
