/**
 * The "why does this picture look like X" analysis on top of {@link featviz.model}: what a model calls a
 * picture ({@link featviz.analysis.Predictor}), per-channel activation profiles
 * ({@link featviz.analysis.LayerActivations}, {@link featviz.analysis.ActivationProfile}), distances between
 * groups of activation vectors ({@link featviz.analysis.Distances}), 2-D maps of them
 * ({@link featviz.analysis.Pca}, {@link featviz.analysis.Tsne}, {@link featviz.analysis.Neighbours} to score
 * one), the dataset images that excite each channel ({@link featviz.analysis.DatasetExamples}) and PNG plots
 * ({@link featviz.analysis.Plots}). Everything takes image batches as INDArrays ([N, 3, H, W], RGB in [0, 1]),
 * so a test can feed a data set directly; the commands in {@link featviz.cli} read files into such batches
 * ({@link featviz.analysis.ImageStream}).
 *
 * <p>A test on a trained model, say the embedded Fashion-MNIST one, with images [1000, C, 28, 28] and labels:
 * <pre>{@code
 * Predictor predictor = new Predictor(model, model.labels(), 28, 28);
 * int[] predicted = predictor.classes(images);                    // argmax per image
 * LayerActivations acts = new LayerActivations(model, layer, 28);
 * double[][] map = new Tsne(30, 1000, 0).fit(acts.means(images), i -> { });
 * double knn = Neighbours.accuracy(map, labels, 5);               // leave-one-out 5-NN on the 2-D points
 * }</pre>
 */
package featviz.analysis;
