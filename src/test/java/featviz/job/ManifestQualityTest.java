package featviz.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.UsageException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A render's optional quality scores in the manifest: written, read back, merged and copied with their render. */
class ManifestQualityTest {
    private static final String SETTINGS = "{\"format\": \"featviz-manifest/1\", \"settings\": {\"%s\": {\"steps\": 4}}, \"renders\": [%s]}";

    @Test
    void qualityRoundTripsAndManifestsWithoutItStillRead() {
        Manifest m = new Manifest();
        String id = m.addSettings(Map.of("steps", 4));
        Manifest.Quality q = new Manifest.Quality(1.75, 0.875, 3.5, 2.0, "gap", 10, 1000);
        m.add(new Manifest.Render("fashion-mnist", "relu5", 3, "fashion-mnist/relu5/0003.png", 3.25, 1.5, id, false, null, q));
        m.add(new Manifest.Render("fashion-mnist", "relu5", 4, "fashion-mnist/relu5/0004.png", 3.0, 1.5, id, false, null,
                new Manifest.Quality(Double.NaN, 0.5, -1, -2, "gap", 10, 1000)));
        m.add(new Manifest.Render("fashion-mnist", "relu5", 5, "fashion-mnist/relu5/0005.png", 3.0, 1.5, id));
        String json = m.toJson();
        assertTrue(json.contains("\"quality\":{\"superstimulus\":1.75,\"plausibility\":0.875,\"activation\":3.5,"
                + "\"best_real\":2.0,\"layer\":\"gap\",\"top\":10,\"images\":1000}"), json);
        assertTrue(json.contains("\"superstimulus\":null"), json); // not a number: null, read back as NaN
        Manifest back = Manifest.parse(json.getBytes(StandardCharsets.UTF_8), "test");
        assertEquals(m, back);
        assertEquals(json, back.toJson());
        Manifest.Render three = back.entries().get(0);
        assertEquals(q, three.quality());
        assertEquals(q, three.withFile("elsewhere/0003.png").quality()); // the gallery copies renders: scores follow
        assertTrue(Double.isNaN(back.entries().get(1).quality().superstimulus()));
        assertNull(back.entries().get(2).quality());

        // A manifest written before quality existed: no "quality", read as unscored.
        String old = String.format(SETTINGS, id, "{\"model\":\"m\",\"layer\":\"l\",\"channel\":0,\"file\":\"m/l/0000.png\","
                + "\"objective\":1.0,\"seconds\":2.0,\"settings\":\"" + id + "\"}");
        Manifest legacy = Manifest.parse(old.getBytes(StandardCharsets.UTF_8), "old");
        assertNull(legacy.entries().get(0).quality());

        String bad = String.format(SETTINGS, id, "{\"model\":\"m\",\"layer\":\"l\",\"channel\":0,\"file\":\"m/l/0000.png\","
                + "\"objective\":1.0,\"seconds\":2.0,\"settings\":\"" + id + "\",\"quality\":{\"superstimulus\":1}}");
        UsageException e = assertThrows(UsageException.class, () -> Manifest.parse(bad.getBytes(StandardCharsets.UTF_8), "bad"));
        assertTrue(e.getMessage().contains("quality"), e.getMessage());
    }

    @Test
    void mergingKeepsTheScoresOfTheRenderThatStays() {
        Manifest a = new Manifest();
        String id = a.addSettings(Map.of("steps", 4));
        Manifest b = a.copy();
        a.add(new Manifest.Render("m", "l", 0, "a/0000.png", 1.0, 1, id, false, null, new Manifest.Quality(1.1, 0.5, 1, 1, "gap", 1, 9)));
        b.add(new Manifest.Render("m", "l", 0, "b/0000.png", 2.0, 1, id, false, null, new Manifest.Quality(2.2, 0.7, 2, 1, "gap", 1, 9)));
        a.merge(b);
        assertEquals(2.2, a.entries().get(0).quality().superstimulus(), 0); // b's render has the higher objective
        assertEquals(a.entries(), a.copy().entries());
    }
}
