package featviz.cli;

import featviz.UsageException;
import featviz.io.ImageFiles;
import featviz.optim.Adam;
import featviz.optim.NAdam;
import featviz.optim.NormalizedAscent;
import featviz.optim.Optimizer;
import featviz.param.DecorrelatedPixelParam;
import featviz.param.FourierParam;
import featviz.param.ImageParam;
import featviz.param.MacoParam;
import featviz.param.Spectrum;
import featviz.param.SpectrumDirectory;
import featviz.param.PixelParam;
import featviz.model.ImageNetwork;
import featviz.transform.ResizeTo;
import featviz.transform.Transform;
import featviz.transform.Transforms;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine.Option;

/**
 * How an image is optimised, whatever the objective: preset, parameterization, transforms, optimiser,
 * steps, start image, size and seed. Options left out take the preset's value.
 */
public final class RenderOptions {

    @Option(names = "--preset", paramLabel = "lucid|tutorial|maco", defaultValue = "lucid",
            description = "Defaults for the options below. lucid: --param fft --decorrelate --transforms lucid " +
                "--optimizer adam --lr 0.05 --steps 512 (Lucid's choices: interpretable pictures). tutorial: " +
                "--param pixel --no-decorrelate --transforms none --optimizer normalized --step-size 0.05 " +
                "--steps 128 (the original blog post: fast, noisy). maco: --param maco --decorrelate --transforms maco " +
                "--optimizer nadam --lr 1.0 --steps 256 (MACO: phase-only, natural magnitude spectrum). " +
                "Default: ${DEFAULT-VALUE}.")
    String preset;

    @Option(names = "--param", paramLabel = "fft|pixel|maco",
            description = "Image parameterization. fft: a Fourier spectrum scaled by 1/frequency, through a " +
                "sigmoid (Lucid). pixel: the pixels themselves (clipped to [0,1], or through a sigmoid " +
                "with --decorrelate). maco: only the Fourier phase, the magnitude fixed to natural images' " +
                "(ImageNet's, or --spectrum-from's).")
    String param;

    @Option(names = "--spectrum-from", paramLabel = "DIR",
            description = "With --param maco: use the mean Fourier magnitude of the images in DIR (read in the " +
                "model's channels, at the render size) instead of ImageNet's, for models of other domains.")
    Path spectrumFrom;

    @Option(names = "--decorrelate", negatable = true, fallbackValue = "true",
            description = "Optimise in ImageNet's decorrelated colour space (Lucid's colour matrix). " +
                "--no-decorrelate: plain RGB. It mixes R, G and B, so it is for 3-channel models only: " +
                "for grey (1-channel) and other models the presets leave it out, and --decorrelate is an error.")
    Boolean decorrelate;

    @Option(names = "--transforms", paramLabel = "SPEC",
            description = "Random transforms applied every step, for robust pictures: lucid (pad 12, jitter 8, " +
                "scale 0.9-1.1, rotate +-10 degrees, jitter 4), maco (random crops of 50-100%% of the image resized to the " +
                "model's size, noise 0.04), none, or a list such as " +
                "pad:12,jitter:8,scale:0.9-1.1,rotate:10,jitter:4. Seeded by --seed.")
    String transforms;

    @Option(names = "--steps", paramLabel = "N", description = "Gradient-ascent steps (lucid 512, tutorial 128).")
    Integer steps;

    @Option(names = "--optimizer", paramLabel = "adam|nadam|normalized",
            description = "adam: Adam (lr 0.05). nadam: NAdam, Adam with Nesterov momentum (MACO's, lr 1.0). normalized: the original tutorial's update, " +
                "x += step * g / std(g), then clip to the valid range (0.05 on the [0,1] pixel scale " +
                "= the tutorial's 0.1 on [-1,1]).")
    String optimizer;

    @Option(names = {"--step-size", "--lr"}, paramLabel = "X",
            description = "Learning rate (adam) or step size (normalized). Default: 0.05.")
    Double stepSize;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "Seed of the start noise (drawn per channel) and of the random transforms; same seed " +
                "and options: same image, byte for byte. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--start", paramLabel = "noise|gray|PATH", defaultValue = "noise",
            description = "Start image: seeded noise (the parameterization's own: uniform 0.5 +- 0.1 for pixels, " +
                "Lucid's 0.01 Gaussian spectrum for fft), plain mid-grey, or an image file (JPEG incl. " +
                "CMYK, PNG, TIFF, BMP, WebP, PSD), resized to --size and converted to the model's channels: " +
                "grey (the luma of a colour photo) for 1-channel models, RGB with its alpha for 4-channel ones " +
                "(opaque if it has none). Default: ${DEFAULT-VALUE}.")
    String start;

    @Option(names = "--size", paramLabel = "PX",
            description = "Width and height of the image. Default: the model's input size (224 for the ImageNet models, 112 for " +
                "fashion-mnist, the size a file model's dense head fixes); a file model that takes any size needs --size.")
    Integer size;

    private Preset chosen;
    private Spectrum spectrum;
    private int spectrumSize;
    /** The model's input channels: the images' channels (3 = RGB, 1 = grey, 4 = RGBA). */
    private int channels = 3;
    /** The size the model was trained at: the lucid transforms' pixel amounts are in proportion to it. */
    private int modelSize = 224;

    Preset preset() {
        if (chosen == null) {
            chosen = Preset.parse(preset);
        }
        return chosen;
    }

    int steps() {
        return steps != null ? steps : preset().steps;
    }

    String paramKind() {
        String p = (param != null ? param : preset().param).toLowerCase(Locale.ROOT);
        if (!p.equals("fft") && !p.equals("pixel") && !p.equals("maco")) {
            throw new UsageException("unknown --param '" + param + "': expected fft, pixel or maco");
        }
        return p;
    }

    /** Whether the colour decorrelation applies: never for models of other than 3 channels (see {@link #forModel}). */
    boolean decorrelate() {
        if (channels != 3) {
            return false;
        }
        return decorrelate != null ? decorrelate : preset().decorrelate;
    }

    /**
     * Makes images of the model's channels, checking first that the options can: featviz writes 1 to 4
     * channels, and an explicit --decorrelate needs 3 (a preset's is dropped, since the preset does not know
     * the model). Lucid's transforms are sized to the model's training resolution ({@link #transformsFor}).
     */
    void forModel(featviz.model.VisionModel model) {
        int channels = model.inputShape()[0];
        featviz.io.ImageFiles.checkChannels(channels);
        if (channels != 3 && Boolean.TRUE.equals(decorrelate)) {
            throw new UsageException("--decorrelate mixes R, G and B, so it is for 3-channel models; this one takes "
                    + channels + " channel" + (channels == 1 ? "" : "s") + " (leave it out: the presets skip it here)");
        }
        this.channels = channels;
        this.modelSize = model.inputShape()[1];
    }

    int channels() {
        return channels;
    }

    String transformSpec() {
        return transforms != null ? transforms : preset().transforms;
    }

    List<Transform> transforms() {
        return Transforms.parse(transformSpec());
    }

    /**
     * The transforms for a network at {@code px}: the chosen ones, then a resize back to {@code px} when the
     * network takes one input size only (dense layers), since padding, jitter and scaling change the size.
     */
    List<Transform> transformsFor(ImageNetwork network, int px) {
        List<Transform> chain = new ArrayList<>(Transforms.parse(transformSpec(), modelSize / 224.0));
        if (!chain.isEmpty() && network.fixedInputSize()) {
            chain.add(new ResizeTo(px, px));
        }
        return chain;
    }

    /** Checks every option before any work, so a typo fails in a second rather than after a download. */
    void validate() {
        preset();
        if (steps() < 1) {
            throw new UsageException("--steps must be at least 1, not " + steps());
        }
        if (size != null && (size < 8 || size > 4096)) {
            throw new UsageException("--size must be between 8 and 4096 pixels, not " + size);
        }
        if (stepSize != null && !(stepSize > 0 && Double.isFinite(stepSize))) {
            throw new UsageException("--step-size must be a positive number, not " + stepSize);
        }
        optimizers().get();
        if (spectrumFrom != null && !paramKind().equals("maco")) {
            throw new UsageException("--spectrum-from sets the magnitude MACO keeps, so it needs --param maco (or --preset"
                    + " maco), not --param " + paramKind());
        }
        if (paramKind().equals("maco") && startsFromFileOrGrey()) {
            throw new UsageException("--param maco starts from a random phase: --start must be noise, not " + start);
        }
        transforms();
        if (startsFromFile() && !Files.isRegularFile(Path.of(start))) {
            throw new UsageException("cannot read start image " + start + ": no such file (or use noise or gray)");
        }
    }

    /** The optimiser's name, the preset's unless --optimizer is given. */
    String optimizerName() {
        return (optimizer != null ? optimizer : preset().optimizer).toLowerCase(Locale.ROOT);
    }

    /** The learning rate or step size, the preset's unless --step-size is given. */
    double stepSize() {
        return stepSize != null ? stepSize : preset().stepSize;
    }

    /** A fresh optimiser for each batch (optimisers keep per-image statistics). */
    Supplier<Optimizer> optimizers() {
        double lr = stepSize();
        return switch (optimizerName()) {
            case "adam" -> () -> new Adam(lr);
            case "normalized" -> () -> new NormalizedAscent(lr);
            case "nadam" -> () -> new NAdam(lr);
            default -> throw new UsageException("unknown --optimizer '" + optimizer + "': expected adam, nadam or normalized");
        };
    }

    private boolean startsFromFileOrGrey() {
        return !start.equalsIgnoreCase("noise");
    }

    boolean startsFromFile() {
        String s = start.toLowerCase(Locale.ROOT);
        return !(s.equals("noise") || s.equals("gray") || s.equals("grey"));
    }

    /**
     * The parameterization for a batch of channels. Every image's start depends only on (seed, channel),
     * never on its place in the batch.
     */
    ImageParam param(List<Long> channels, int px, INDArray startFile) {
        boolean noise = start.equalsIgnoreCase("noise");
        long[] seeds = channels.stream().mapToLong(c -> channelSeed(seed, c)).toArray();
        String kind = paramKind();
        if (kind.equals("maco")) {
            return new MacoParam(seeds, spectrum(px), px, px, decorrelate(), DataType.FLOAT);
        }
        if (noise && kind.equals("fft")) {
            return new FourierParam(seeds, this.channels, px, px, decorrelate());
        }
        if (noise && decorrelate()) {
            return new DecorrelatedPixelParam(seeds, px, px);
        }
        int c = this.channels;
        INDArray images = Nd4j.create(DataType.FLOAT, channels.size(), c, px, px);
        for (int b = 0; b < channels.size(); b++) {
            INDArray one = startFile != null ? startFile : noise ? uniformNoise(seeds[b], c, px)
                    : Nd4j.valueArrayOf(new long[] {1, c, px, px}, 0.5f);
            images.get(NDArrayIndex.point(b)).assign(one.reshape(c, px, px));
        }
        if (kind.equals("fft")) {
            return FourierParam.fromImage(images, decorrelate());
        }
        return decorrelate() ? DecorrelatedPixelParam.fromImage(images) : new PixelParam(images);
    }

    /**
     * The magnitude MACO keeps at px: --spectrum-from's, else ImageNet's (colour models), else for grey models
     * the first channel of ImageNet's decorrelated spectrum, its luminance (chosen by measurement: README, presets).
     * Read once per size.
     */
    Spectrum spectrum(int px) {
        if (spectrum == null || spectrumSize != px) {
            if (spectrumFrom != null) {
                spectrum = SpectrumDirectory.read(spectrumFrom, px, channels, decorrelate());
            } else if (channels == 3) {
                spectrum = Spectrum.imagenet();
            } else if (channels == 1) {
                spectrum = Spectrum.imagenet().channel(0);
            } else {
                throw new UsageException("--param maco has no default spectrum for " + channels + "-channel models: give"
                        + " --spectrum-from DIR with images of their kind");
            }
            spectrumSize = px;
        }
        return spectrum;
    }

    /** The start file at px x px in the model's channels (call {@link #forModel} first), or null. */
    INDArray startImage(int px) {
        return startsFromFile() ? ImageFiles.read(Path.of(start), px, px, channels) : null;
    }

    /** What decides the pixels, for provenance and resuming; the objective's part is the caller's. */
    Map<String, Object> settings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("preset", preset().label());
        s.put("param", paramKind() + (decorrelate() ? "+decorrelate" : ""));
        if (paramKind().equals("maco")) {
            s.put("spectrum", spectrumFrom != null ? spectrumFrom.toString() : "imagenet");
        }
        s.put("transforms", transformSpec());
        s.put("optimizer", optimizers().get().describe());
        s.put("steps", steps());
        s.put("start", start);
        s.put("seed", seed);
        return s;
    }

    /** Each channel's start noise has its own seed, so its image does not depend on the batch it is in. */
    static long channelSeed(long seed, long channel) {
        return seed * 0x9E3779B97F4A7C15L + channel;
    }

    /** Uniform noise in [0.4, 0.6], drawn in plain Java so it is the same on every backend. */
    static INDArray uniformNoise(long seed, int channels, int px) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[channels * px * px];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (0.4 + 0.2 * random.nextDouble());
        }
        return Nd4j.create(values, new long[] {1, channels, px, px}, 'c');
    }
}
