package featviz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.KnownAnswerNets;
import featviz.job.Manifest;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** {@code --alpha}, {@code --transparency} and the flat mark, as users get them: files, JSON, the manifest. */
class TransparencyCommandTest {
    @TempDir
    static Path dir;
    static Path corner;
    static Path dead;
    static Path four;

    @BeforeAll
    static void models() throws Exception {
        corner = dir.resolve("corner.zip");
        ModelSerializer.writeModel(KnownAnswerNets.cornerNet(16), corner.toFile(), false);
        dead = dir.resolve("dead.zip");
        ModelSerializer.writeModel(KnownAnswerNets.deadNet(DataType.FLOAT), dead.toFile(), false);
        four = dir.resolve("four.zip");
        ModelSerializer.writeModel(KnownAnswerNets.fourChannelNet(), four.toFile(), false);
    }

    @Test
    void alphaIsOpaqueWhereTheUnitLooksAndTheHeatMapGoesBeside() throws Exception {
        Path out = dir.resolve("corner.png");
        Cli r = Cli.run("maximize", "--model", corner.toString(), "--layer", "corner", "--size", "16", "--preset",
                "tutorial", "--steps", "6", "--alpha", "--transparency", "--output", out.toString(), "--json", "--quiet");
        assertEquals(0, r.exit(), r.toString());
        Path heat = dir.resolve("corner_transparency.png");
        assertTrue(r.out().contains("\"transparency\":\"" + heat.toString().replace("\\", "\\\\") + "\""), r.out());
        assertFalse(r.out().contains("\"flat\""), r.out());
        BufferedImage png = ImageIO.read(out.toFile());
        assertTrue(png.getColorModel().hasAlpha());
        assertEquals(255, png.getRGB(2, 3) >>> 24, "inside the quarter the unit sees");
        assertEquals(0, png.getRGB(12, 3) >>> 24, "outside it");
        BufferedImage map = ImageIO.read(heat.toFile());
        assertEquals(0xFFFFFF, map.getRGB(2, 3) & 0xFFFFFF, "hottest: white");
        assertEquals(0, map.getRGB(3, 12) & 0xFFFFFF, "no gradient: black");
    }

    @Test
    void aLayerMarksItsDeadUnitFlatInJsonAndManifestAndWritesEveryMap() throws Exception {
        Path out = dir.resolve("layer");
        Cli r = Cli.run("maximize", "--model", dead.toString(), "--layer", "dead", "--index", "all", "--size", "8",
                "--preset", "tutorial", "--steps", "5", "--redirect-relu", "0", "--transparency", "--output",
                out.toString(), "--json", "--quiet");
        assertEquals(0, r.exit(), r.toString());
        String[] lines = r.out().strip().split("\n");
        assertEquals(2, lines.length, r.out());
        assertTrue(lines[0].contains("\"channel\":0") && lines[0].contains("\"flat\":true"), lines[0]);
        assertFalse(lines[1].contains("flat"), lines[1]);
        Manifest m = Manifest.load(out);
        var renders = m.entries();
        assertEquals(2, renders.size());
        assertTrue(renders.get(0).flat());
        assertFalse(renders.get(1).flat());
        for (var render : renders) {
            assertTrue(Files.isRegularFile(out.resolve(render.transparency())), render.toString());
        }
        // the gallery shows both: the map beside the image, the flat unit marked
        Path gallery = dir.resolve("gallery");
        Cli g = Cli.run("gallery", out.toString(), "--output", gallery.toString(), "--thumb", "16");
        assertEquals(0, g.exit(), g.toString());
        String html = Files.readString(gallery.resolve("index.html"));
        assertTrue(html.contains("data-flat=\"true\"") && html.contains("class=\"flat\""), html);
        assertTrue(html.contains("<img class=\"transparency\" src=\"" + renders.get(0).transparency() + "\""), html);
        assertTrue(Files.isRegularFile(gallery.resolve(renders.get(1).transparency())));
        assertTrue(Manifest.load(gallery).entries().get(0).flat());
        // with the default redirection the same unit comes alive
        Cli revived = Cli.run("maximize", "--model", dead.toString(), "--layer", "dead", "--index", "0", "--size", "8",
                "--preset", "tutorial", "--steps", "5", "--output", dir.resolve("revived.png").toString(), "--json", "--quiet");
        assertEquals(0, revived.exit(), revived.toString());
        assertFalse(revived.out().contains("flat"), revived.out());
    }

    @Test
    void anObjectiveBatchWritesAMapPerImageAndSaysWhichStayedFlat() throws Exception {
        Path out = dir.resolve("batch.png");
        Cli r = Cli.run("maximize", "--model", dead.toString(), "--objective", "dead:0", "--batch", "2", "--size", "8",
                "--preset", "tutorial", "--steps", "3", "--redirect-relu", "0", "--alpha", "--transparency",
                "--output", out.toString(), "--json", "--quiet");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("\"flat\":true") && r.out().contains("\"flat_images\":[0,1]"), r.out());
        for (int b = 0; b < 2; b++) {
            BufferedImage png = ImageIO.read(dir.resolve("batch_" + b + ".png").toFile());
            assertTrue(png.getColorModel().hasAlpha());
            assertEquals(0, png.getRGB(4, 4) >>> 24, "a dead unit's image is fully transparent");
            assertTrue(Files.isRegularFile(dir.resolve("batch_" + b + "_transparency.png")));
        }
    }

    @Test
    void alphaWithoutAPlaceForItIsOneLineAndExit2() {
        Cli jpg = Cli.run("maximize", "--model", corner.toString(), "--layer", "corner", "--size", "16", "--steps", "2",
                "--alpha", "--output", dir.resolve("x.jpg").toString());
        assertEquals(2, jpg.exit(), jpg.toString());
        assertTrue(jpg.err().contains(".jpg") && jpg.err().strip().lines().count() == 1, jpg.err());
        assertFalse(Files.exists(dir.resolve("x.jpg")));
        Cli rgba = Cli.run("maximize", "--model", four.toString(), "--layer", "mix", "--size", "16", "--steps", "2",
                "--alpha", "--output", dir.resolve("four.png").toString());
        assertEquals(2, rgba.exit(), rgba.toString());
        assertTrue(rgba.err().contains("already use their alpha channel") && rgba.err().strip().lines().count() == 1,
                rgba.err());
        Cli heatFile = Cli.run("maximize", "--model", corner.toString(), "--layer", "corner", "--index", "all",
                "--size", "16", "--steps", "2", "--transparency", dir.resolve("map.png").toString(),
                "--output", dir.resolve("d").toString());
        assertEquals(2, heatFile.exit(), heatFile.toString());
    }
}
