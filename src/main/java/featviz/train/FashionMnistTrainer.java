package featviz.train;

import featviz.UsageException;
import featviz.dataset.FashionMnist;
import featviz.dataset.LabeledImages;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * Trains the Fashion-MNIST classifiers featviz ships, with DL4J's ComputationGraph, seeded, and writes them with
 * ModelSerializer (float, no updater state). Both architectures are all-convolutional down to a global average
 * pool, so the networks take any input size; BatchNorm and ReLU are layers of their own (featviz folds each
 * BatchNorm into the convolution before it). Input: NCHW, 1 channel, pixel / 255 (featviz's {@code unit}).
 *
 * <p>Usage: {@code FashionMnistTrainer --arch a|b --seed N --epochs N --batch N --lr X --output FILE
 * [--augment] [--helpers onednn|dl4j] [--measure N] [--limit N]}. {@code --measure N} times N training batches and
 * stops; {@code --limit N} trains on the first N images only (smoke runs); {@code --augment} adds random 2-pixel
 * shifts and left-right flips (off for the shipped models).
 */
public final class FashionMnistTrainer {
    private static final int CLASSES = 10;

    public static void main(String[] args) throws IOException {
        try {
            run(Options.parse(args));
        } catch (UsageException e) {
            System.err.println("train: " + e.getMessage());
            System.exit(2);
        }
    }

    record Options(String arch, long seed, int epochs, int batch, double lr, Path output, boolean augment,
                   boolean onednn, int measure, int limit) {
        static Options parse(String[] args) {
            Map<String, String> o = new HashMap<>(Map.of("--arch", "a", "--seed", "1", "--epochs", "6",
                    "--batch", "128", "--lr", "0.003", "--helpers", "onednn", "--measure", "0", "--limit", "0"));
            boolean augment = false;
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--augment")) {
                    augment = true;
                } else if (o.containsKey(args[i]) || args[i].equals("--output")) {
                    if (i + 1 >= args.length) {
                        throw new UsageException(args[i] + " needs a value");
                    }
                    o.put(args[i], args[++i]);
                } else {
                    throw new UsageException("unknown option " + args[i]);
                }
            }
            try {
                return new Options(o.get("--arch"), Long.parseLong(o.get("--seed")), Integer.parseInt(o.get("--epochs")),
                        Integer.parseInt(o.get("--batch")), Double.parseDouble(o.get("--lr")),
                        o.containsKey("--output") ? Path.of(o.get("--output")) : null, augment,
                        o.get("--helpers").equals("onednn"), Integer.parseInt(o.get("--measure")),
                        Integer.parseInt(o.get("--limit")));
            } catch (NumberFormatException e) {
                throw new UsageException("not a number: " + e.getMessage());
            }
        }
    }

    static void run(Options opt) throws IOException {
        FashionMnist data = FashionMnist.locate();
        LabeledImages train = data.train();
        LabeledImages test = data.test();
        ComputationGraph net = new ComputationGraph(configuration(opt, train.size()));
        net.init();
        if (opt.onednn()) {
            useOneDnnHelpers(net);
        }
        System.out.printf(Locale.ROOT, "arch %s seed %d: %,d parameters, %d epochs of %d at batch %d, lr %.4g%s%n",
                opt.arch(), opt.seed(), net.numParams(), opt.epochs(), train.size(), opt.batch(), opt.lr(),
                opt.augment() ? ", shifts+flips" : "");
        Random random = new Random(opt.seed());
        int n = opt.limit() > 0 ? Math.min(opt.limit(), train.size()) : train.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        long start = System.nanoTime();
        long cpuStart = cpuNanos();
        int batches = n / opt.batch(); // the remainder of a shuffled epoch is dropped
        int done = 0;
        for (int epoch = 0; epoch < opt.epochs(); epoch++) {
            shuffle(order, random);
            long epochStart = System.nanoTime();
            double lossSum = 0;
            for (int b = 0; b < batches; b++) {
                int[] idx = java.util.Arrays.copyOfRange(order, b * opt.batch(), (b + 1) * opt.batch());
                INDArray x = train.batch(idx, DataType.FLOAT);
                if (opt.augment()) {
                    x = Augment.shiftAndFlip(x, random, 2);
                }
                INDArray y = train.oneHot(idx, CLASSES, DataType.FLOAT);
                long t = System.nanoTime();
                long c = cpuNanos();
                net.fit(new INDArray[] {x}, new INDArray[] {y});
                lossSum += net.score();
                done++;
                if (opt.measure() == 0 && done % 100 == 0) {
                    System.out.printf(Locale.ROOT, "  batch %d: loss %.4f, %.0f s (cpu %.0f s)%n", done, net.score(),
                            (System.nanoTime() - start) / 1e9, (cpuNanos() - cpuStart) / 1e9);
                }
                if (opt.measure() > 0) {
                    System.out.printf(Locale.ROOT, "batch %d: %.0f ms, cpu %.0f ms, loss %.4f%n", done,
                            (System.nanoTime() - t) / 1e6, (cpuNanos() - c) / 1e6, net.score());
                    if (done >= opt.measure()) {
                        return;
                    }
                }
            }
            double acc = accuracy(net, test);
            System.out.printf(Locale.ROOT, "epoch %d: train loss %.4f, test accuracy %.2f%%, %.0f s (total %.0f s, cpu %.0f s)%n",
                    epoch + 1, lossSum / batches, 100 * acc, (System.nanoTime() - epochStart) / 1e9,
                    (System.nanoTime() - start) / 1e9, (cpuNanos() - cpuStart) / 1e9);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double acc = accuracy(net, test);
        System.out.printf(Locale.ROOT, "test accuracy %.2f%% (%d of %d), training %.0f s wall, %.0f s cpu, %,d parameters%n",
                100 * acc, Math.round(acc * test.size()), test.size(), seconds, (cpuNanos() - cpuStart) / 1e9, net.numParams());
        if (opt.output() != null) {
            save(net, opt.output());
            System.out.println("wrote " + opt.output() + " (" + Files.size(opt.output()) + " bytes)");
        }
    }

    /** The share of images whose highest-scoring class is their label (inference mode, batches of 500). */
    public static double accuracy(ComputationGraph net, LabeledImages images) {
        int correct = 0;
        for (int from = 0; from < images.size(); from += 500) {
            int to = Math.min(images.size(), from + 500);
            INDArray out = net.output(false, images.batch(from, to, DataType.FLOAT))[0];
            INDArray argmax = out.argMax(1);
            for (int i = from; i < to; i++) {
                if (argmax.getInt(i - from) == images.label(i)) {
                    correct++;
                }
            }
        }
        return correct / (double) images.size();
    }

    /** Written to a temporary name and renamed, so a failed run leaves no half-written model. */
    private static void save(ComputationGraph net, Path output) throws IOException {
        Path dir = output.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, output.getFileName().toString(), ".tmp");
        try {
            ModelSerializer.writeModel(net, tmp.toFile(), false);
            try { // createTempFile makes it private (0600): a model file is for everyone to read
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: keep its defaults
            }
            Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static ComputationGraphConfiguration configuration(Options opt, int trainSize) {
        int iterations = opt.epochs() * (trainSize / opt.batch());
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(opt.seed())
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.RELU)
                .updater(new Adam(schedule(opt.lr(), iterations)))
                .l2(5e-5)
                .convolutionMode(ConvolutionMode.Same)
                .graphBuilder()
                .addInputs("input")
                .setInputTypes(InputType.convolutional(28, 28, 1));
        String last = switch (opt.arch()) {
            // A: VGG-like, 3x3 convolutions, 2x2 max pooling between stages, 32-64-128 wide: one convolution at
            // 28x28 (the costliest size), two at 14x14 and two at 7x7.
            case "a" -> {
                String x = convBnRelu(g, 1, "input", 32, 1);
                g.addLayer("pool1", maxPool(), x);
                x = convBnRelu(g, 2, "pool1", 64, 1);
                x = convBnRelu(g, 3, x, 64, 1);
                g.addLayer("pool2", maxPool(), x);
                x = convBnRelu(g, 4, "pool2", 128, 1);
                yield convBnRelu(g, 5, x, 128, 1);
            }
            // B: no pooling layers, stride-2 convolutions downsample; narrower, 24-48-96, five convolutions.
            case "b" -> {
                String x = "input";
                int[] widths = {24, 48, 48, 96, 96};
                int[] strides = {1, 2, 1, 2, 1};
                for (int i = 0; i < widths.length; i++) {
                    x = convBnRelu(g, i + 1, x, widths[i], strides[i]);
                }
                yield x;
            }
            default -> throw new UsageException("unknown --arch " + opt.arch() + ": expected a or b");
        };
        g.addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), last);
        g.addLayer("predictions", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .nOut(CLASSES).activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER).build(), "gap");
        g.setOutputs("predictions");
        return g.build();
    }

    private static SubsamplingLayer maxPool() {
        return new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build();
    }

    private static String convBnRelu(ComputationGraphConfiguration.GraphBuilder g, int i, String in, int width, int stride) {
        g.addLayer("conv" + i, new ConvolutionLayer.Builder(3, 3).stride(stride, stride).nOut(width)
                .activation(Activation.IDENTITY).build(), in);
        g.addLayer("bn" + i, new BatchNormalization.Builder().build(), "conv" + i);
        g.addLayer("relu" + i, new ActivationLayer.Builder().activation(Activation.RELU).build(), "bn" + i);
        return "relu" + i;
    }

    /** Linear warm-up over the first 3%, then a cosine decay to 1% of the peak, in steps of 20 iterations. */
    static MapSchedule schedule(double peak, int iterations) {
        MapSchedule.Builder b = new MapSchedule.Builder(ScheduleType.ITERATION);
        int warm = Math.max(1, iterations * 3 / 100);
        for (int it = 0; it < iterations; it += 20) {
            double lr = it < warm ? peak * (it + 20) / (warm + 20)
                    : peak * (0.01 + 0.99 * 0.5 * (1 + Math.cos(Math.PI * (it - warm) / (iterations - warm))));
            b.add(it, lr);
        }
        return b.build();
    }

    /**
     * CPU time of the whole process (all threads, native ones included): on a shared machine, half of it is
     * roughly the wall time the run would take with 2 cores of its own.
     */
    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /**
     * DL4J M2.1 looks its oneDNN layer helpers up through a class that moved ({@code Nd4jCpu$Environment}), so
     * they never load and convolutions run as im2col + gemm. The -onednn natives featviz builds with have them:
     * set them on the layers directly. Training only; the shipped file does not depend on it.
     */
    private static void useOneDnnHelpers(ComputationGraph net) {
        try {
            for (Layer layer : net.getLayers()) {
                if (layer instanceof org.deeplearning4j.nn.layers.convolution.ConvolutionLayer) {
                    set(layer, org.deeplearning4j.nn.layers.convolution.ConvolutionLayer.class,
                            new org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper(DataType.FLOAT));
                } else if (layer instanceof org.deeplearning4j.nn.layers.normalization.BatchNormalization) {
                    set(layer, org.deeplearning4j.nn.layers.normalization.BatchNormalization.class,
                            new org.deeplearning4j.nn.layers.mkldnn.MKLDNNBatchNormHelper(DataType.FLOAT));
                } else if (layer instanceof org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer) {
                    set(layer, org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer.class,
                            new org.deeplearning4j.nn.layers.mkldnn.MKLDNNSubsamplingHelper(DataType.FLOAT));
                }
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot set DL4J's oneDNN helpers", e);
        }
    }

    private static void set(Object layer, Class<?> type, Object helper) throws ReflectiveOperationException {
        Field f = type.getDeclaredField("helper");
        f.setAccessible(true);
        f.set(layer, helper);
    }
}
