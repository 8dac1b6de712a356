package featviz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.dataset.FashionMnist;
import featviz.dataset.LabeledImages;
import featviz.io.ImageFiles;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * The analysis commands on the embedded 1-channel model, fed as users feed it: PNG files of real test
 * images, grey and (one) in colour, which becomes grey on reading.
 */
class EmbeddedModelCommandsTest {
    @TempDir
    static Path dir;
    static Path trousers;
    static Path bags;
    static Path colourBoot;

    @BeforeAll
    static void writeTestImages() throws Exception {
        LabeledImages test = FashionMnist.locate().test();
        trousers = Files.createDirectories(dir.resolve("trouser"));
        bags = Files.createDirectories(dir.resolve("bag"));
        int trouserCount = 0;
        int bagCount = 0;
        for (int i = 0; i < 400 && (trouserCount < 12 || bagCount < 12); i++) {
            INDArray image = test.batch(i, i + 1, DataType.FLOAT);
            if (test.label(i) == 1 && trouserCount < 12) {
                ImageIO.write(ImageFiles.toImage(image), "png", trousers.resolve(i + ".png").toFile());
                trouserCount++;
            } else if (test.label(i) == 8 && bagCount < 12) {
                ImageIO.write(ImageFiles.toImage(image), "png", bags.resolve(i + ".png").toFile());
                bagCount++;
            }
        }
        // Test image 0 is an ankle boot: written as RGB with the grey in every channel.
        BufferedImage grey = ImageFiles.toImage(test.batch(0, 1, DataType.FLOAT));
        BufferedImage rgb = new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB);
        rgb.getGraphics().drawImage(grey, 0, 0, null);
        colourBoot = dir.resolve("boot-rgb.png");
        ImageIO.write(rgb, "png", colourBoot.toFile());
    }

    @Test
    void predictNamesTheClassesOfGreyAndColourFiles() throws Exception {
        Path trouser = Files.list(trousers).sorted().findFirst().orElseThrow();
        Cli r = Cli.run("predict", trouser.toString(), colourBoot.toString(), "--model", "fashion-mnist", "--top", "1",
                "--json");
        assertEquals(0, r.exit(), r.toString());
        List<String> top = new java.util.ArrayList<>();
        for (JsonNode row : new ObjectMapper().readTree(r.out())) {
            top.add(row.get("predictions").get(0).get("label").asText());
        }
        assertEquals(List.of("trouser", "ankle_boot"), top, r.out());
    }

    @Test
    void embedSeparatesTrousersFromBags() throws Exception {
        Path out = dir.resolve("embed");
        Cli r = Cli.run("embed", trousers.toString(), bags.toString(), "--model", "fashion-mnist", "--layer", "relu5",
                "--perplexity", "5", "--output", out.toString(), "--json", "-q");
        assertEquals(0, r.exit(), r.toString());
        List<String> rows = Files.readAllLines(out.resolve("distances.csv"));
        double withinTrouser = Double.parseDouble(rows.get(1).split(",")[4]);
        double withinBag = Double.parseDouble(rows.get(2).split(",")[4]);
        double between = Double.parseDouble(rows.get(3).split(",")[4]);
        assertTrue(between > withinTrouser && between > withinBag, rows.toString());
    }

    @Test
    void activationsOfAColourFileEqualThoseOfItsGreyVersion() throws Exception {
        Path out = dir.resolve("acts");
        Files.createDirectories(out);
        Path grey = dir.resolve("boot-grey.png");
        ImageIO.write(ImageFiles.toImage(FashionMnist.locate().test().batch(0, 1, DataType.FLOAT)), "png", grey.toFile());
        Cli r = Cli.run("activations", colourBoot.toString(), grey.toString(), "--model", "fashion-mnist", "--layer",
                "relu5", "--csv", out.resolve("a.csv").toString(), "--plot", out.resolve("a.png").toString(), "-q");
        assertEquals(0, r.exit(), r.toString());
        List<String> rows = Files.readAllLines(out.resolve("a.csv"));
        assertEquals(3, rows.size());
        assertEquals(rows.get(1).substring(rows.get(1).indexOf(',')), rows.get(2).substring(rows.get(2).indexOf(',')));
    }
}
