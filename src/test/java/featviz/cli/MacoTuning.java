package featviz.cli;

import featviz.analysis.LayerActivations;
import featviz.analysis.Predictor;
import featviz.dataset.FashionMnist;
import featviz.dataset.LabeledImages;
import featviz.io.ImageResize;
import featviz.model.ImageNetwork;
import featviz.model.ModelLoader;
import featviz.model.NetworkBuilder;
import featviz.model.VisionModel;
import featviz.objective.ChannelPerImageObjective;
import featviz.objective.ClassLogitObjective;
import featviz.objective.Objective;
import featviz.objective.Objectives;
import featviz.optim.Adam;
import featviz.optim.NAdam;
import featviz.param.FourierParam;
import featviz.param.ImageParam;
import featviz.param.MacoParam;
import featviz.param.Spectrum;
import featviz.render.RenderListener;
import featviz.render.RenderResult;
import featviz.render.Renderer;
import featviz.transform.Transform;
import featviz.transform.Transforms;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The measurement behind the maco preset's defaults (README, presets); not part of the suite. Each configuration
 * renders the 10 class renders (one batch) and 16 relu5 channels (one batch) of the embedded Fashion-MNIST model
 * and scores them as {@link FashionMnistMeaningTest} does: class renders classified by the model and by a second
 * one, channel renders against the best of the 10,000 test images. Run:
 * <pre>
 * mvn -B -q -o test -Dtest=MacoTuning -Dmaco.tune='NAME:param:size:transforms:optimizer:lr:steps[:spectrum];...'
 * </pre>
 * param fft or maco; spectrum (maco, grey) imagenet0 (luminance channel), imagenetMean, or fmnist (the training
 * images' own, the best a user could give with --spectrum-from).
 */
@EnabledIfSystemProperty(named = "maco.tune", matches = ".+")
class MacoTuning {
    private static final String LAST_CONV = "relu5";

    @Test
    void measure() throws Exception {
        LabeledImages test = FashionMnist.locate().test();
        VisionModel model = new ModelLoader(null).load("fashion-mnist", null, null, 0);
        Path b = Path.of(MacoTuning.class.getResource("/featviz/fashion-mnist-b.zip").toURI());
        VisionModel second = new ModelLoader(null).load(b.toString(), null, null, 0);
        Predictor own = new Predictor(model, model.labels(), 28, 28);
        Predictor other = new Predictor(second, model.labels(), 28, 28);
        LayerActivations acts = new LayerActivations(model, LAST_CONV, 28);
        int channels = 16;
        double[] bestReal = new double[channels];
        for (int from = 0; from < test.size(); from += 1000) {
            INDArray means = acts.means(test.batch(from, Math.min(test.size(), from + 1000), DataType.FLOAT));
            for (int c = 0; c < channels; c++) {
                bestReal[c] = Math.max(bestReal[c], means.getColumn(c).maxNumber().doubleValue());
            }
        }
        Spectrum fmnist = null;
        System.out.println("TUNE | config | own /10 | second /10 | beat best of 10k /16 | median ratio | s/step (class batch) |");
        for (String config : System.getProperty("maco.tune").split(";")) {
            String[] f = config.trim().split(":");
            String name = f[0];
            String param = f[1];
            int size = Integer.parseInt(f[2]);
            String transforms = f[3].replace('~', ':');
            String optimizer = f[4];
            double lr = Double.parseDouble(f[5]);
            int steps = Integer.parseInt(f[6]);
            String spectrumKind = f.length > 7 ? f[7] : "imagenet0";
            Spectrum spectrum = switch (spectrumKind) {
                case "imagenetMean" -> Spectrum.imagenet().channelMean();
                case "fmnist" -> {
                    if (fmnist == null) {
                        List<INDArray> images = new ArrayList<>();
                        LabeledImages train = FashionMnist.locate().train();
                        for (int i = 0; i < 2000; i++) {
                            images.add(ImageResize.resize(train.batch(i, i + 1, DataType.FLOAT), size, size));
                        }
                        fmnist = Spectrum.meanOf(images, false);
                    }
                    yield fmnist;
                }
                default -> Spectrum.imagenet().channel(0);
            };
            long t0 = System.nanoTime();
            int[] right = classScores(model, own, other, param, size, transforms, optimizer, lr, steps, spectrum);
            double secondsPerStep = (System.nanoTime() - t0) / 1e9 / steps;
            int ownRight = right[0];
            int otherRight = right[1];
            int[] byOther = java.util.Arrays.copyOfRange(right, 2, 12);
            // channel renders
            String vertex = model.resolve(LAST_CONV);
            List<Long> chans = new ArrayList<>();
            for (long c = 0; c < channels; c++) {
                chans.add(c);
            }
            INDArray channelRenders = render(model, new ChannelPerImageObjective(vertex, LAST_CONV, chans), channels, param,
                    size, transforms, optimizer, lr, steps, spectrum, vertex);
            int beaten = 0;
            double[] ratios = new double[channels];
            for (int c = 0; c < channels; c++) {
                INDArray img = quantised(ImageResize.resize(channelRenders.get(NDArrayIndex.interval(c, c + 1)), 28, 28));
                ratios[c] = acts.means(img).getDouble(0, c) / bestReal[c];
                beaten += ratios[c] > 1 ? 1 : 0;
            }
            java.util.Arrays.sort(ratios);
            System.out.printf("TUNE | %s (%s) | %d | %d | %d | %.2f | %.3f |%n", name, config, ownRight, otherRight, beaten,
                    ratios[channels / 2], secondsPerStep);
            System.out.println("TUNE   second model said " + java.util.Arrays.toString(byOther));
            System.out.flush();
        }
    }

    /**
     * The 10 class renders of {@code model} (one batch, class k in image k, from seeds 0..9), at {@code size},
     * resized to 28 and rounded to 8 bits as a PNG would be, then classified: {right by own, right by other,
     * other's 10 answers}.
     */
    static int[] classScores(VisionModel model, Predictor own, Predictor other, String param, int size, String transforms,
                             String optimizer, double lr, int steps, Spectrum spectrum) {
        String out = model.outputLayer(size, size);
        String logits = NetworkBuilder.hasLogits(model.spec(size, size).vertex(out)) ? out + NetworkBuilder.LOGITS : out;
        List<Objective> terms = new ArrayList<>();
        for (int k = 0; k < 10; k++) {
            terms.add(new ClassLogitObjective(logits, "class", k, k));
        }
        INDArray classRenders = render(model, Objectives.sum(terms), 10, param, size, transforms, optimizer, lr, steps,
                spectrum, logits);
        INDArray small = Nd4j.create(DataType.FLOAT, 10, 1, 28, 28);
        for (int k = 0; k < 10; k++) {
            small.putSlice(k, quantised(ImageResize.resize(classRenders.get(NDArrayIndex.interval(k, k + 1)), 28, 28)).slice(0));
        }
        int[] byOwn = own.classes(small);
        int[] byOther = other.classes(small);
        int[] result = new int[12];
        for (int k = 0; k < 10; k++) {
            result[0] += byOwn[k] == k ? 1 : 0;
            result[1] += byOther[k] == k ? 1 : 0;
            result[2 + k] = byOther[k];
        }
        return result;
    }

    private static INDArray quantised(INDArray image) {
        return org.nd4j.linalg.ops.transforms.Transforms.round(image.mul(255), false).divi(255);
    }

    private static INDArray render(VisionModel model, Objective goal, int n, String param, int size, String transforms,
                                   String optimizer, double lr, int steps, Spectrum spectrum, String layer) {
        long[] seeds = new long[n];
        for (int i = 0; i < n; i++) {
            seeds[i] = RenderOptions.channelSeed(0, i);
        }
        ImageParam p = param.equals("maco") ? new MacoParam(seeds, spectrum, size, size, false, DataType.FLOAT)
                : new FourierParam(seeds, 1, size, size, false);
        List<Transform> chain = Transforms.parse(transforms, 28 / 224.0);
        ImageNetwork network = model.network(Set.copyOf(goal.layers()), DataType.FLOAT, size, size);
        Renderer r = new Renderer(network, goal, p, optimizer.equals("nadam") ? new NAdam(lr) : new Adam(lr), chain, 0);
        RenderResult result = r.run(steps, (step, total, value) -> { });
        return result.image();
    }
}
