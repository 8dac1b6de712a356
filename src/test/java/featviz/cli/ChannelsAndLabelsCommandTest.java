package featviz.cli;

import static featviz.cli.MaximizeCommandTest.assertOneLineError;
import static featviz.cli.MaximizeCommandTest.files;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.KnownAnswerNets;
import featviz.io.ImageFiles;
import featviz.io.PngWriter;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Grey and 4-channel model files and class labels, end to end: files written, and one line for each mistake. */
class ChannelsAndLabelsCommandTest {
    static final int SIZE = 24;

    @TempDir
    static Path dir;
    static Path centre;
    static Path four;
    static Path five;
    static Path classifier;
    static Path unlabelled;

    @BeforeAll
    static void saveModels() throws Exception {
        centre = dir.resolve("centre.zip");
        ModelSerializer.writeModel(KnownAnswerNets.centreNet(SIZE), centre.toFile(), false);
        four = dir.resolve("four.zip");
        ModelSerializer.writeModel(KnownAnswerNets.fourChannelNet(), four.toFile(), false);
        five = dir.resolve("five.zip");
        ModelSerializer.writeModel(convNet(5, 2), five.toFile(), false);
        classifier = dir.resolve("classifier.zip");
        ModelSerializer.writeModel(greyClassifier(), classifier.toFile(), false);
        Files.writeString(dir.resolve("classifier.labels.txt"), "Ankle boot\nT-shirt/top\nsea cucumber\n");
        unlabelled = dir.resolve("unlabelled.zip");
        ModelSerializer.writeModel(greyClassifier(), unlabelled.toFile(), false);
    }

    /** One 1x1 convolution "conv" from {@code in} to {@code out} channels, seeded weights. */
    static MultiLayerNetwork convNet(int in, int out) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT)
                .list()
                .layer(new ConvolutionLayer.Builder(1, 1).name("conv").nIn(in).nOut(out).activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(16, 16, in))
                .build());
        net.init();
        return net;
    }

    /** Grey 16x16 in, a convolution, global average pooling and a 3-class softmax "out". */
    static MultiLayerNetwork greyClassifier() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(2).dataType(DataType.FLOAT)
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv").nIn(1).nOut(4).activation(Activation.RELU).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).name("gap").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(16, 16, 1))
                .build());
        net.init();
        return net;
    }

    static Path fresh(String name) throws Exception {
        return Files.createDirectories(dir.resolve(name));
    }

    /** {mean inside the centre disc, mean outside} of a grey image's levels, in [0, 1]. */
    static double[] centreAndSurround(Raster r) {
        double in = 0, out = 0;
        int n = 0;
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                double v = r.getSample(x, y, 0) / 255.0;
                if (KnownAnswerNets.isCentre(y, x, SIZE)) {
                    in += v;
                    n++;
                } else {
                    out += v;
                }
            }
        }
        return new double[] {in / n, out / (SIZE * SIZE - n)};
    }

    @Test
    void aGreyModelRendersItsBrightCentreDetectorAsAGreyPng() throws Exception {
        Path out = fresh("grey").resolve("centre.png");
        Path gif = dir.resolve("grey").resolve("run.gif");
        Cli r = Cli.run("maximize", "--model", centre.toString(), "--layer", "centre", "--size", "24", "--steps", "64",
                "--thresholds", "32", "--animate", gif.toString(), "--quiet", "--output", out.toString());
        assertEquals(0, r.exit(), r.toString());
        assertEquals(24, ImageIO.read(gif.toFile()).getWidth(), "animation frames are shown as RGB");
        assertEquals(1, ImageIO.read(dir.resolve("grey").resolve("centre_32.png").toFile()).getColorModel()
                .getNumComponents(), "snapshots are grey too");
        BufferedImage png = ImageIO.read(out.toFile());
        assertEquals(1, png.getColorModel().getNumComponents(), "a grey PNG");
        double[] cs = centreAndSurround(png.getRaster());
        assertTrue(cs[0] > cs[1] + 0.3, "centre " + cs[0] + ", surround " + cs[1]);
        Map<String, String> text = PngWriter.readText(out);
        assertEquals("fft", text.get("featviz:param"), "the preset's decorrelation is left out, and the PNG says so");
        assertTrue(text.get("featviz:args").contains("\"--no-decorrelate\""), text.get("featviz:args"));
    }

    @Test
    void explicitDecorrelationOfAGreyModelIsOneLineExit2AndWritesNothing() throws Exception {
        Path sub = fresh("decorrelate");
        assertOneLineError(Cli.run("maximize", "--model", centre.toString(), "--layer", "centre", "--size", "24",
                "--decorrelate", "--output", sub.resolve("x.png").toString()), 2,
                "--decorrelate mixes R, G and B, so it is for 3-channel models; this one takes 1 channel");
        assertEquals(List.of(), files(sub));
    }

    @Test
    void imageNetPreprocessingOfAGreyModelIsOneLineExit2() throws Exception {
        Path sub = fresh("caffe");
        for (String p : List.of("caffe", "torch", "tf")) {
            assertOneLineError(Cli.run("maximize", "--model", centre.toString(), "--layer", "centre", "--size", "24",
                    "--preprocess", p, "--output", sub.resolve("x.png").toString()), 2,
                    "--preprocess " + p + " is ImageNet's convention for 3-channel RGB input", "use --preprocess unit");
        }
        assertEquals(List.of(), files(sub));
    }

    @Test
    void aColourStartImageBecomesItsLumaForAGreyModel() throws Exception {
        Path sub = fresh("start");
        BufferedImage colour = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                colour.setRGB(x, y, (x * 10) << 16 | (y * 10) << 8 | 200);
            }
        }
        Path start = sub.resolve("colour.png");
        ImageIO.write(colour, "png", start.toFile());
        Path out = sub.resolve("out.png");
        // one step too small to change a level: the output is the start image as the model sees it
        Cli r = Cli.run("maximize", "--model", centre.toString(), "--layer", "centre", "--size", "24", "--preset",
                "tutorial", "--steps", "1", "--step-size", "1e-6", "--start", start.toString(), "--quiet",
                "--output", out.toString());
        assertEquals(0, r.exit(), r.toString());
        Raster grey = ImageIO.read(out.toFile()).getRaster();
        assertEquals(1, grey.getNumBands());
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                double luma = 0.299 * x * 10 + 0.587 * y * 10 + 0.114 * 200;
                assertEquals(Math.round(luma), grey.getSample(x, y, 0), 1.0, "pixel " + x + "," + y);
            }
        }
    }

    @Test
    void aFourChannelModelWritesRgbaAndStartsFromAnRgbaPicture() throws Exception {
        Path sub = fresh("four");
        Path out = sub.resolve("alpha.png");
        Cli r = Cli.run("maximize", "--model", four.toString(), "--layer", "mix", "--index", "3", "--size", "16",
                "--steps", "48", "--quiet", "--output", out.toString());
        assertEquals(0, r.exit(), r.toString());
        BufferedImage png = ImageIO.read(out.toFile());
        assertEquals(4, png.getColorModel().getNumComponents());
        INDArray image = ImageFiles.readOriginalSize(out, 4);
        for (int c = 0; c < 4; c++) {
            double mean = image.slice(0).slice(c).meanNumber().doubleValue();
            assertTrue(c == 3 ? mean > 0.7 : mean < 0.3, "channel " + c + " (alpha last): " + mean);
        }
        // rendered again from itself with a step too small to matter: all four channels come back
        Path again = sub.resolve("again.png");
        Cli r2 = Cli.run("maximize", "--model", four.toString(), "--layer", "mix", "--index", "3", "--size", "16",
                "--preset", "tutorial", "--steps", "1", "--step-size", "1e-6", "--start", out.toString(), "--quiet",
                "--output", again.toString());
        assertEquals(0, r2.exit(), r2.toString());
        assertEquals(image, ImageFiles.readOriginalSize(again, 4));
    }

    @Test
    void moreThanFourChannelsIsOneLineExit2() throws Exception {
        Path sub = fresh("five");
        assertOneLineError(Cli.run("maximize", "--model", five.toString(), "--layer", "conv", "--size", "16",
                "--output", sub.resolve("x.png").toString()), 2, "1 to 4 channels", "this model takes 5");
        assertEquals(List.of(), files(sub));
    }

    @Test
    void dreamOnAGreyModelTurnsAColourPhotoIntoAGreyDream() throws Exception {
        Path sub = fresh("dream");
        Path photo = sub.resolve("photo.png");
        ImageIO.write(featviz.io.ImageFiles.toImage(featviz.GradientCheck.uniform(DataType.FLOAT, 3, 1, 3, 30, 26)),
                "png", photo.toFile());
        Path out = sub.resolve("dream.png");
        Cli r = Cli.run("dream", "--model", centre.toString(), "--input", photo.toString(), "--layer", "centre",
                "--octaves", "0", "--steps", "3", "--quiet", "--output", out.toString());
        assertEquals(0, r.exit(), r.toString());
        BufferedImage png = ImageIO.read(out.toFile());
        assertEquals(1, png.getColorModel().getNumComponents());
        assertEquals(26, png.getWidth());
        assertEquals(30, png.getHeight());
    }

    @Test
    void aClassByItsLabel() throws Exception {
        Path sub = fresh("label");
        for (String[] c : new String[][] {{"class(ankle_boot)", "class(out, 0)"}, {"class(T-shirt top)", "class(out, 1)"},
                {"class(out:Sea_Cucumber)", "class(out, 2)"}, {"class(out:2)", "class(out, 2)"}, {"class(1)", "class(out, 1)"}}) {
            Path out = sub.resolve("c.png");
            Cli r = Cli.run("maximize", "--model", classifier.toString(), "--objective", c[0], "--size", "16",
                    "--steps", "2", "--quiet", "--output", out.toString());
            assertEquals(0, r.exit(), r.toString());
            assertEquals(c[1], PngWriter.readText(out).get("featviz:objective"), c[0]);
        }
    }

    @Test
    void anUnknownLabelIsOneLineWithTheClosestExit2AndWritesNothing() throws Exception {
        Path sub = fresh("unknown-label");
        assertOneLineError(Cli.run("maximize", "--model", classifier.toString(), "--objective", "class(ankle_bot)",
                "--size", "16", "--output", sub.resolve("x.png").toString()), 2,
                "no class 'ankle_bot' among the 3 labels of classifier.labels.txt; closest: Ankle boot (0)");
        assertOneLineError(Cli.run("maximize", "--model", unlabelled.toString(), "--objective", "class(ankle_boot)",
                "--size", "16", "--output", sub.resolve("x.png").toString()), 2, "the model has no class labels");
        assertOneLineError(Cli.run("maximize", "--model", centre.toString(), "--objective", "class(ankle_boot)",
                "--size", "24", "--output", sub.resolve("x.png").toString()), 2, "has no output layer of classes");
        assertEquals(List.of(), files(sub));
    }

    @Test
    void greyRendersMakeAGalleryAndCompare() throws Exception {
        Path renders = fresh("grey-layer");
        Path grey2 = dir.resolve("grey2.zip");
        ModelSerializer.writeModel(convNet(1, 3), grey2.toFile(), false);
        Cli r = Cli.run("maximize", "--model", grey2.toString(), "--layer", "conv", "--index", "all", "--size", "16",
                "--steps", "2", "--quiet", "--output", renders + "/");
        assertEquals(0, r.exit(), r.toString());
        Path gallery = dir.resolve("grey-gallery");
        Cli g = Cli.run("gallery", renders.toString(), "--output", gallery.toString(), "--thumb", "16");
        assertEquals(0, g.exit(), g.toString());
        assertTrue(Files.isRegularFile(gallery.resolve("contact-sheet.png")));

        Path a = renders.resolve("grey2/conv/0000.png");
        assertEquals(1, ImageIO.read(a.toFile()).getColorModel().getNumComponents());
        assertEquals(0, Cli.run("compare", a.toString(), a.toString()).exit());
        Cli differ = Cli.run("compare", a.toString(), renders.resolve("grey2/conv/0001.png").toString());
        assertEquals(1, differ.exit(), differ.toString());
    }

    @Test
    void helpSaysWhatDecorrelationAndLabelsDoForOtherModels() {
        String help = Cli.run("maximize", "--help").out().replaceAll("\\s+", ""); // wherever the lines wrap
        assertTrue(help.contains("for3-channelmodelsonly"), help);
        assertTrue(help.contains("class(NAME)ontheoutputlayer"), help);
        assertTrue(help.contains("convertedtothemodel'schannels:grey(thelumaofacolourphoto)"), help);
    }
}
