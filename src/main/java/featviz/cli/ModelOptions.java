package featviz.cli;

import featviz.model.ModelLoader;
import featviz.model.Preprocessing;
import featviz.model.VisionModel;
import featviz.model.WeightStore;
import picocli.CommandLine.Option;

/** The options that choose a model, shared by every command that loads one. */
public final class ModelOptions {

    @Option(names = "--model", paramLabel = "NAME|PATH", defaultValue = "vgg19",
            description = "vgg19, vgg16 or resnet50 from the DeepLearning4J zoo (ImageNet), fashion-mnist " +
                "(embedded: trained by this project, no download), or the path of a DL4J " +
                "ComputationGraph/MultiLayerNetwork zip written by ModelSerializer (a copy of a zoo file is " +
                "recognised by its checksum). Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--weights", paramLabel = "imagenet|random|PATH",
            description = "Catalogue models only. imagenet (default; 'pretrained' says the same and is what " +
                "fashion-mnist takes) downloads the pretrained weights once and caches them (see " +
                "models/README.md); random uses seeded He-initialised weights with the same architecture, for " +
                "benchmarks; PATH is a local copy of the pretrained file (offline machines), used with the " +
                "model's names and preprocessing, with a warning if its checksum is not the catalogue's.")
    String weights;

    @Option(names = "--weights-seed", paramLabel = "N", defaultValue = "0",
            description = "Seed of --weights random (default ${DEFAULT-VALUE}); --seed does not change the weights.")
    long weightsSeed;

    @Option(names = "--preprocess", paramLabel = "caffe|unit|torch|tf",
            description = "How an image in [0,1] becomes the network input. Zoo models: caffe (BGR, " +
                "0-255, ImageNet means subtracted), as their weights expect. File models: unit (unchanged, " +
                "any number of channels) unless set; torch = ImageNet mean/std, tf = [-1,1]. caffe, torch " +
                "and tf are for 3-channel (RGB) models only.")
    String preprocess;

    VisionModel load(WeightStore.ProgressListener download) {
        return load(model, download);
    }

    /** Loads {@code name} (one of several models a command compares) with these weights and preprocessing options. */
    VisionModel load(String name, WeightStore.ProgressListener download) {
        ModelLoader loader = new ModelLoader(WeightStore.fromEnvironment(download), download::warning);
        return loader.load(name, weights == null ? null : ModelLoader.parseWeights(weights),
                preprocess == null ? null : Preprocessing.parse(preprocess), weightsSeed);
    }
}
