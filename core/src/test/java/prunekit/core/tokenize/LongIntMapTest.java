package prunekit.core.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The pair → id map against java.util.HashMap, through several growths. */
class LongIntMapTest {
    @Test
    void agreesWithHashMap() {
        LongIntMap m = new LongIntMap(1);
        Map<Long, Integer> ref = new HashMap<>();
        Random r = new Random(3);
        for (int i = 0; i < 20_000; i++) {
            int a = r.nextInt(200);
            int b = r.nextInt(200);
            int v = r.nextInt(Integer.MAX_VALUE);
            m.put(a, b, v);
            ref.putIfAbsent(((long) a << 32) | b, v);
        }
        assertEquals(ref.size(), m.size());
        for (int a = 0; a < 200; a++) {
            for (int b = 0; b < 200; b++) {
                assertEquals(ref.getOrDefault(((long) a << 32) | b, -1), m.get(a, b));
            }
        }
    }
}
