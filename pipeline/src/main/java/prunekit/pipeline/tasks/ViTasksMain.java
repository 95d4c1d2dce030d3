package prunekit.pipeline.tasks;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import prunekit.core.io.AtomicFiles;

/**
 * Makes the two Vietnamese zero-shot tasks shipped in {@code data/tasks/} from held-out text only
 * ({@code ../shared/data/vi/valid/wiki.txt} and {@code legal.txt}), reproducibly (fixed seed, the
 * files read in a fixed order, {@link Random}'s specified sequence):
 * <ul>
 * <li>{@code vi-cloze.jsonl}: a sentence without its final word as context; choices: " " + the
 * word and three other sentence-final words of the same file;</li>
 * <li>{@code vi-minimal-pairs.jsonl}: empty context; choices: the sentence and the same sentence
 * with two adjacent words swapped (never the first word, whose capital would give it away).</li>
 * </ul>
 * Sentences are the held-out lines cut after . ! ? before a capital, kept when they have 6 to 30
 * words, at most 160 characters, end in a period, and hold only letters, digits, spaces and , ; : ( ) / % -.
 * The two tasks use disjoint sentences.
 *
 * <p>Usage: {@code ViTasksMain VALID_DIR OUT_DIR}.
 */
public final class ViTasksMain {
    static final long SEED = 20260113L;
    static final int ITEMS = 300;
    static final List<String> FILES = List.of("wiki.txt", "legal.txt");
    private static final Pattern SPLIT = Pattern.compile("(?<=[.!?])\\s+(?=\\p{Lu})");
    private static final Pattern ALLOWED = Pattern.compile("\\p{Lu}[\\p{L}\\p{N} ,;:()/%\\-]*\\.");
    private static final Pattern WORD = Pattern.compile("\\p{L}{2,}");
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private ViTasksMain() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: ViTasksMain VALID_DIR OUT_DIR (e.g. ../shared/data/vi/valid data/tasks)");
        }
        for (Map.Entry<String, String> e : make(Path.of(args[0])).entrySet()) {
            Path out = Path.of(args[1]).resolve(e.getKey());
            AtomicFiles.writeString(out, e.getValue());
            System.out.println("wrote " + out);
        }
    }

    /** File name → JSONL text of both tasks. */
    public static Map<String, String> make(Path validDir) {
        Random rnd = new Random(SEED);
        List<Sentence> all = new ArrayList<>();
        for (String f : FILES) {
            all.addAll(sentences(validDir.resolve(f), f));
        }
        Collections.shuffle(all, rnd);
        if (all.size() < 2 * ITEMS) {
            throw new IllegalStateException(validDir + ": only " + all.size() + " usable sentences, need " + 2 * ITEMS);
        }
        StringBuilder cloze = new StringBuilder();
        StringBuilder pairs = new StringBuilder();
        int k = 0;
        for (int made = 0; made < ITEMS; k++) {
            made += appendCloze(cloze, all.get(k), all, rnd) ? 1 : 0;
        }
        for (int made = 0; made < ITEMS; k++) {
            made += appendPair(pairs, all.get(k), rnd) ? 1 : 0;
        }
        Map<String, String> out = new LinkedHashMap<>();
        out.put("vi-cloze.jsonl", cloze.toString());
        out.put("vi-minimal-pairs.jsonl", pairs.toString());
        return out;
    }

    /** A usable sentence and the file it came from. */
    record Sentence(String text, String file) {
        String[] words() {
            return text.split(" ");
        }

        /** The final word without its period. */
        String lastWord() {
            String[] w = words();
            return w[w.length - 1].substring(0, w[w.length - 1].length() - 1);
        }
    }

    static List<Sentence> sentences(Path file, String name) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read held-out text " + file + " (" + e.getMessage() + ")", e);
        }
        Set<String> seen = new LinkedHashSet<>();
        for (String line : text.split("\n")) {
            for (String s : SPLIT.split(line.strip())) {
                int words = s.split(" ").length;
                if (words >= 6 && words <= 30 && s.length() <= 160 && ALLOWED.matcher(s).matches() && !s.contains("  ")) {
                    seen.add(s);
                }
            }
        }
        return seen.stream().map(s -> new Sentence(s, name)).toList();
    }

    private static boolean appendCloze(StringBuilder out, Sentence s, List<Sentence> pool, Random rnd) {
        String gold = s.lastWord();
        if (!WORD.matcher(gold).matches()) {
            return false;
        }
        List<String> choices = new ArrayList<>(List.of(gold));
        Set<String> lower = new LinkedHashSet<>(List.of(gold.toLowerCase(Locale.ROOT)));
        while (choices.size() < 4) {
            Sentence o = pool.get(rnd.nextInt(pool.size()));
            String w = o.lastWord();
            if (o.file().equals(s.file()) && WORD.matcher(w).matches() && lower.add(w.toLowerCase(Locale.ROOT))) {
                choices.add(w);
            }
        }
        Collections.shuffle(choices, rnd);
        String context = s.text().substring(0, s.text().length() - gold.length() - 2); // drop " word."
        append(out, context, choices.stream().map(w -> " " + w).toList(), choices.indexOf(gold));
        return true;
    }

    private static boolean appendPair(StringBuilder out, Sentence s, Random rnd) {
        String[] w = s.words();
        List<Integer> at = new ArrayList<>();
        for (int i = 1; i + 1 < w.length; i++) {
            if (WORD.matcher(w[i]).matches() && WORD.matcher(w[i + 1]).matches()
                    && !w[i].equalsIgnoreCase(w[i + 1])) {
                at.add(i);
            }
        }
        if (at.isEmpty()) {
            return false;
        }
        int i = at.get(rnd.nextInt(at.size()));
        String[] sw = w.clone();
        sw[i] = w[i + 1];
        sw[i + 1] = w[i];
        int gold = rnd.nextInt(2);
        List<String> choices = gold == 0 ? List.of(s.text(), String.join(" ", sw)) : List.of(String.join(" ", sw), s.text());
        append(out, "", choices, gold);
        return true;
    }

    private static void append(StringBuilder out, String context, List<String> choices, int gold) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("context", context);
        o.put("choices", choices);
        o.put("gold", gold);
        out.append(GSON.toJson(o)).append('\n');
    }
}
