package prunekit.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's {@code chromium}, headless, as a test's browser: opens a copy of an HTML page with two
 * small scripts added (one first in the head that records errors and failed loads, one last in the
 * body that, once the page has loaded, records every {@code <svg>}'s rendered size and the elements
 * that would fetch a file),
 * dumps the DOM to read those records back, collects the console lines Chromium logs to stderr, and
 * takes a screenshot. Skips the calling test loudly when Chromium is not installed
 * ({@code .ci/run} installs it where it can).
 */
final class HeadlessChromium {
    private static final String[] FLAGS = {"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--enable-logging=stderr", "--v=0", "--hide-scrollbars", "--mute-audio", "--no-first-run"};
    private static final String RECORD_ERRORS = "<script>window.pkErrors=[];addEventListener('error',function(e){"
            + "pkErrors.push(e.message||('failed to load '+(e.target&&(e.target.src||e.target.href))));},true);"
            + "['error','warn'].forEach(function(k){var f=console[k];console[k]=function(){"
            + "pkErrors.push(k+': '+Array.prototype.join.call(arguments,' '));f.apply(console,arguments);};});</script>";
    /** On load (after every image has loaded or failed): svg sizes, elements that fetch a file, errors. */
    private static final String MEASURE = "<script>addEventListener('load',function(){var s=[];"
            + "document.querySelectorAll('svg').forEach(function(e){var r=e.getBoundingClientRect();"
            + "s.push(Math.round(r.width)+'x'+Math.round(r.height));});var x=0;document.querySelectorAll("
            + "'[src],link,image,use,object,iframe').forEach(function(e){var h=e.getAttribute('src')||"
            + "e.getAttribute('href')||e.getAttribute('xlink:href')||e.getAttribute('data')||'';"
            + "if(h.indexOf('data:')!==0&&h.indexOf('#')!==0){x++;}});"
            + "var p=document.createElement('pre');p.id='pk-check';p.textContent=JSON.stringify({svgs:s,"
            + "external:x,errors:pkErrors});document.body.appendChild(p);});</script>";
    private static final Pattern RECORD = Pattern.compile("<pre id=\"pk-check\">(.*?)</pre>", Pattern.DOTALL);
    private static final Pattern CONSOLE = Pattern.compile(":CONSOLE[^\\]]*\\] (.*)");

    private final String binary;

    private HeadlessChromium(String binary) {
        this.binary = binary;
    }

    /**
     * What the browser saw: each svg's rendered size, the elements that reference a file (not a data:
     * URI or a fragment), script errors and failed loads, console lines, the screenshot.
     */
    record Page(List<int[]> svgSizes, int externalReferences, List<String> errors, List<String> console, BufferedImage screenshot) {
    }

    /** {@code chromium} (or $PRUNEKIT_CHROMIUM) when it runs, else null. */
    static HeadlessChromium find() {
        String binary = System.getenv().getOrDefault("PRUNEKIT_CHROMIUM", "chromium");
        return works(binary) ? new HeadlessChromium(binary) : null;
    }

    /** {@link #find()}, or the calling test is skipped with a message saying how to get Chromium. */
    static HeadlessChromium require() {
        HeadlessChromium found = find();
        if (found == null) {
            String binary = System.getenv().getOrDefault("PRUNEKIT_CHROMIUM", "chromium");
            String msg = "SKIPPED (needs Chromium): '" + binary + " --version' does not run; install Debian's chromium"
                    + " (apt-get install chromium; .ci/run does so as root) or set PRUNEKIT_CHROMIUM to a Chromium binary";
            System.err.println(msg);
            Assumptions.assumeTrue(false, msg);
        }
        return found;
    }

    /** Opens {@code html} (a copy with the probes added, in {@code work}) and reports what rendered. */
    Page open(Path html, Path work) throws IOException, InterruptedException {
        String page = Files.readString(html, StandardCharsets.UTF_8);
        int head = page.indexOf("<head>");
        int end = page.lastIndexOf("</body>");
        if (head < 0 || end < 0) {
            throw new IllegalArgumentException(html + " has no <head> or </body> to add the probes to");
        }
        String probed = page.substring(0, head + 6) + RECORD_ERRORS + page.substring(head + 6, end) + MEASURE
                + page.substring(end);
        Path copy = Files.writeString(work.resolve("probed-" + html.getFileName()), probed, StandardCharsets.UTF_8);
        Run dom = run(work, copy, "--dump-dom");
        Matcher m = RECORD.matcher(dom.stdout);
        if (!m.find()) {
            throw new AssertionError("the measuring script did not run; chromium stderr:\n" + dom.stderr);
        }
        JsonObject record = JsonParser.parseString(m.group(1).replace("&quot;", "\"").replace("&lt;", "<")
                .replace("&gt;", ">").replace("&amp;", "&")).getAsJsonObject();
        Path png = work.resolve("screenshot.png");
        run(work, html, "--screenshot=" + png, "--window-size=1100,2400");
        BufferedImage shot = Files.isRegularFile(png) ? ImageIO.read(png.toFile()) : null;
        List<String> console = new ArrayList<>();
        Matcher c = CONSOLE.matcher(dom.stderr);
        while (c.find()) {
            console.add(c.group(1));
        }
        List<int[]> sizes = new ArrayList<>();
        for (JsonElement size : record.getAsJsonArray("svgs")) {
            String[] wh = size.getAsString().split("x");
            sizes.add(new int[] {Integer.parseInt(wh[0]), Integer.parseInt(wh[1])});
        }
        List<String> errors = new ArrayList<>();
        record.getAsJsonArray("errors").forEach(e -> errors.add(e.getAsString()));
        return new Page(sizes, record.get("external").getAsInt(), errors, console, shot);
    }

    private record Run(String stdout, String stderr) {
    }

    private Run run(Path work, Path html, String... action) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(binary));
        cmd.addAll(List.of(FLAGS));
        cmd.add("--user-data-dir=" + work.resolve("profile"));
        cmd.addAll(List.of(action));
        cmd.add(html.toUri().toString());
        Path out = work.resolve("chromium.out");
        Path err = work.resolve("chromium.err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 90 s: " + String.join(" ", cmd));
        }
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new AssertionError("chromium exited with " + p.exitValue() + ": " + String.join(" ", cmd) + "\n" + stderr);
        }
        return new Run(Files.readString(out, StandardCharsets.UTF_8), stderr);
    }

    private static boolean works(String binary) {
        try {
            Process p = new ProcessBuilder(binary, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
