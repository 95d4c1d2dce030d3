package prunekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

/** Broken copies of the shared models and files for {@link BadInputTableTest}, each made in a temp dir. */
final class BadFiles {
    private BadFiles() {
    }

    static Path copyVina(Path dir) throws IOException {
        Path d = Files.createDirectories(dir.resolve("model"));
        for (String f : new String[] {"config.json", "model.safetensors", "tokenizer.json"}) {
            Files.copy(BadInputTableTest.VINA.resolve(f), d.resolve(f));
        }
        return d;
    }

    static Path truncated(Path dir) throws IOException {
        Path d = copyVina(dir);
        Path f = d.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(all, all.length / 2));
        return d;
    }

    static Path hugeHeader(Path dir) throws IOException {
        Path d = copyVina(dir);
        Files.write(d.resolve("model.safetensors"), le(16).putLong(1L << 40).putLong(0).array());
        return d;
    }

    /** mini-vina with model.safetensors replaced by {@code header} and {@code dataBytes} zero bytes. */
    static Path safetensors(Path dir, String header, int dataBytes) throws IOException {
        Path d = copyVina(dir);
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        Files.write(d.resolve("model.safetensors"), le(8 + h.length + dataBytes).putLong(h.length).put(h).array());
        return d;
    }

    static Path editConfig(Path dir, String from, String to) throws IOException {
        Path d = copyVina(dir);
        Path c = d.resolve("config.json");
        String s = Files.readString(c);
        assertTrue(s.contains(from), "test setup: config.json lacks " + from);
        Files.writeString(c, s.replace(from, to));
        return d;
    }

    static Path storiesByte(Path dir, int at, int value) throws IOException {
        Path f = dir.resolve("bad.gguf");
        byte[] all = Files.readAllBytes(BadInputTableTest.STORIES);
        all[at] = (byte) value;
        Files.write(f, all);
        return f;
    }

    static Path truncatedGguf(Path dir) throws IOException {
        Path f = dir.resolve("bad.gguf");
        byte[] all = Files.readAllBytes(BadInputTableTest.STORIES);
        Files.write(f, Arrays.copyOf(all, all.length - 1000));
        return f;
    }

    /** A GGUF v3 with two F32 tensors of 16 values whose byte ranges [0, 64) and [32, 96) overlap. */
    static Path overlappingGguf(Path dir) throws IOException {
        ByteBuffer b = le(4096);
        b.put("GGUF".getBytes(StandardCharsets.US_ASCII)).putInt(3).putLong(2).putLong(0);
        for (String[] t : new String[][] {{"a", "0"}, {"b", "32"}}) {
            byte[] name = t[0].getBytes(StandardCharsets.UTF_8);
            b.putLong(name.length).put(name).putInt(1).putLong(16).putInt(0).putLong(Long.parseLong(t[1]));
        }
        int dataStart = (b.position() + 31) / 32 * 32;
        Path f = dir.resolve("overlap.gguf");
        Files.write(f, Arrays.copyOf(b.array(), dataStart + 96));
        return f;
    }

    /** mini-vina with {@code count} values of {@code tensor} set to NaN (or +Inf). */
    static Path nonFinite(Path dir, String tensor, int count, boolean inf) throws IOException {
        Path d = copyVina(dir);
        Path f = d.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(f);
        long headerLen = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonObject h = JsonParser.parseString(new String(all, 8, (int) headerLen, StandardCharsets.UTF_8)).getAsJsonObject();
        JsonObject e = h.getAsJsonObject(tensor);
        long begin = 8 + headerLen + e.getAsJsonArray("data_offsets").get(0).getAsLong();
        String dtype = e.get("dtype").getAsString();
        ByteBuffer w = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            switch (dtype) {
                case "BF16" -> w.putShort((int) begin + 2 * i, (short) (inf ? 0x7F80 : 0x7FC0));
                case "F16" -> w.putShort((int) begin + 2 * i, (short) (inf ? 0x7C00 : 0x7E00));
                case "F32" -> w.putFloat((int) begin + 4 * i, inf ? Float.POSITIVE_INFINITY : Float.NaN);
                default -> throw new IllegalStateException("test setup: dtype " + dtype);
            }
        }
        Files.write(f, all);
        return d;
    }

    static Path brokenTokenizer(Path dir) throws IOException {
        Path d = copyVina(dir);
        Files.writeString(d.resolve("tokenizer.json"), "{\"model\": {\"vocab\": ");
        return d;
    }

    /** mini-vina whose tokenizer has neither {@code <unk>} nor byte fallback. */
    static Path noUnkTokenizer(Path dir) throws IOException {
        Path d = copyVina(dir);
        Path t = d.resolve("tokenizer.json");
        JsonObject root = JsonParser.parseString(Files.readString(t)).getAsJsonObject();
        JsonObject model = root.getAsJsonObject("model");
        model.addProperty("byte_fallback", false);
        model.getAsJsonObject("vocab").remove("<unk>");
        JsonArray added = new JsonArray();
        for (JsonElement a : root.getAsJsonArray("added_tokens")) {
            if (!a.getAsJsonObject().get("content").getAsString().equals("<unk>")) {
                added.add(a);
            }
        }
        root.add("added_tokens", added);
        Files.writeString(t, root.toString());
        return d;
    }

    static Path text(Path dir, String content) throws IOException {
        return Files.writeString(dir.resolve("text.txt"), content + "\n");
    }

    /** The first 3,000 characters of the shared validation text: a few hundred tokens, enough for one window. */
    static Path shortText(Path dir) throws IOException {
        Path f = dir.resolve("short.txt");
        if (!Files.exists(f)) {
            Files.writeString(f, Files.readString(BadInputTableTest.TEXT).substring(0, 3000));
        }
        return f;
    }

    static Path latin1(Path dir) throws IOException {
        return Files.write(dir.resolve("latin1.txt"), "caf\u00e9 cr\u00e8me".getBytes(StandardCharsets.ISO_8859_1));
    }

    static Path json(Path dir, String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    /** A LLaMA-shaped config.json of {@code layers} layers of width {@code hidden} and vocab 4096 (mini-vina's tokenizer). */
    static Path config7b(Path dir, int hidden, int layers) throws IOException {
        return json(dir, "config.json", "{\"vocab_size\": 4096, \"hidden_size\": " + hidden + ", \"intermediate_size\": "
                + 11008 + ", \"num_hidden_layers\": " + layers + ", \"num_attention_heads\": 32,"
                + " \"head_dim\": 128, \"max_position_embeddings\": 4096}");
    }

    /** A 1-step run of a tiny model, its trainer_state.json then cut in half; returns the --resume command. */
    static String[] corruptResume(Path dir) throws IOException {
        Path config = json(dir, "tiny.json", "{\"vocab_size\": 4096, \"hidden_size\": 16, \"intermediate_size\": 32,"
                + " \"num_hidden_layers\": 1, \"num_attention_heads\": 2, \"max_position_embeddings\": 32}");
        String[] train = BadInputTableTest.args("train", "--init", config, "--tokenizer",
                BadInputTableTest.VINA.resolve("tokenizer.json"), "--data", shortText(dir), "--steps", 1,
                "--batch", 2, "--seq", 16, "--warmup", 0, "--checkpoint-every", 1, "--out", dir.resolve("run"));
        Cli first = Cli.run(train);
        assertEquals(0, first.exit(), "test setup: " + first.err());
        try (Stream<Path> s = Files.walk(dir.resolve("run"))) {
            for (Path p : s.filter(p -> p.getFileName().toString().equals("trainer_state.json")).toList()) {
                String state = Files.readString(p);
                Files.writeString(p, state.substring(0, state.length() / 2));
            }
        }
        String[] resume = Arrays.copyOf(train, train.length + 1);
        resume[train.length] = "--resume";
        return resume;
    }

    /** A real plan.json of stories260K (prune --scorer magnitude) with its "original" shapes removed. */
    static Path planWithoutOriginal(Path dir) throws IOException {
        Cli prune = Cli.run(BadInputTableTest.args("prune", BadInputTableTest.STORIES, "--calib", BadInputTableTest.TEXT,
                "--samples", 4, "--seq-len", 16, "--scorer", "magnitude", "--keep-ratio", 0.5, "--out", dir.resolve("run")));
        assertEquals(0, prune.exit(), "test setup: " + prune.err());
        Path plan = dir.resolve("run/plan.json");
        JsonObject o = JsonParser.parseString(Files.readString(plan)).getAsJsonObject();
        o.remove("original");
        return json(dir, "plan.json", o.toString());
    }

    /** stories260K exported to ONNX, then run with mini-vina's tokenizer. */
    static String[] otherModelsExport(Path dir) {
        Path onnx = dir.resolve("stories.onnx");
        Cli export = Cli.run(BadInputTableTest.args("export", BadInputTableTest.STORIES, onnx));
        assertEquals(0, export.exit(), "test setup: " + export.err());
        return BadInputTableTest.args("generate", BadInputTableTest.VINA, "--prompt", "xin chào", "--onnx", onnx);
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
