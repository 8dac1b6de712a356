package featviz.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.io.ImageFiles;
import featviz.model.op.PortableOps;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The portable path (libnd4j's ops only, as on a GPU) renders the picture the CPU's path renders: the same
 * command, with the default preset (Fourier parameterization, decorrelated colour, Lucid's transforms with
 * their rotations and scalings) and the maco preset (MACO's phase-only image, computed with ND4J ops on this
 * path), through max pooling and BatchNorm, written as PNGs and read back. The two
 * paths round differently (libnd4j's pooling and convolutions instead of oneDNN's, gathers instead of host
 * loops), so the bytes may differ by a step of the 8-bit scale, no more.
 */
class PortablePathMatchesNativeTest {
    @TempDir
    Path dir;

    private INDArray render(String name, boolean portable, List<String> options) {
        Path out = dir.resolve(name + (portable ? "-portable.png" : "-native.png"));
        List<String> args = new ArrayList<>(List.of("maximize", "--quiet", "--seed", "4", "--output", out.toString()));
        args.addAll(options);
        String before = System.getProperty(PortableOps.PROPERTY);
        System.setProperty(PortableOps.PROPERTY, portable ? "portable" : "native");
        try {
            Cli run = Cli.run(args.toArray(String[]::new));
            assertEquals(0, run.exit(), run.toString());
        } finally {
            if (before == null) {
                System.clearProperty(PortableOps.PROPERTY);
            } else {
                System.setProperty(PortableOps.PROPERTY, before);
            }
        }
        return ImageFiles.readOriginalSize(out);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "--model fashion-mnist --objective class(ankle_boot) --size 28 --steps 12",
        "--model vgg19 --weights random --layer block2_conv2 --index 5 --size 40 --steps 6",
        "--model fashion-mnist --objective class(ankle_boot) --size 28 --steps 12 --preset maco"})
    void portableRenderEqualsTheNativeOne(String options) {
        List<String> split = List.of(options.split(" "));
        INDArray reference = render("r", false, split);
        INDArray portable = render("r", true, split);
        assertArrayEquals(reference.shape(), portable.shape());
        double max = Transforms.abs(reference.sub(portable), false).maxNumber().doubleValue();
        // one step of the 8-bit scale where a value sat on a rounding boundary; a wrong sample moves far more
        assertTrue(max <= 1.5 / 255, options + ": largest difference " + max * 255 + "/255");
        assertTrue(reference.std().getDouble(0) > 0.02, "a flat picture proves nothing");
    }
}
