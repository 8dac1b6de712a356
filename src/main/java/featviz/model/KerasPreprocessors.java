package featviz.model;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names classes featviz's run time has for the input preprocessors DL4J's Keras import writes, in a model's
 * configuration JSON, before DL4J parses it.
 *
 * <p>The import's preprocessors were in {@code org.deeplearning4j.nn.modelimport.keras.preprocessors} (module
 * deeplearning4j-modelimport) when the zoo's files were written. M2.1 keeps TensorFlowCnnToFeedForwardPreProcessor
 * there and moved ReshapePreprocessor, PermutePreprocessor and KerasFlattenRnnPreprocessor to
 * deeplearning4j-nn's {@code org.deeplearning4j.preprocessors}: an old file naming any of them fails in M2.1 with
 * "Could not resolve type id", with or without modelimport. featviz does not ship modelimport (its Keras and
 * HDF5 machinery only serve importing); the flatten becomes {@link ChannelsLastFlatten}, the others M2.1's own.
 */
final class KerasPreprocessors {
    private static final String KERAS = "org.deeplearning4j.nn.modelimport.keras.preprocessors.";
    private static final Pattern CLASS = Pattern.compile("(\"@class\"\\s*:\\s*\")" + Pattern.quote(KERAS) + "(\\w+)\"");
    private static final Map<String, String> RUNTIME = Map.of(
            "TensorFlowCnnToFeedForwardPreProcessor", ChannelsLastFlatten.class.getName(),
            "ReshapePreprocessor", "org.deeplearning4j.preprocessors.ReshapePreprocessor",
            "PermutePreprocessor", "org.deeplearning4j.preprocessors.PermutePreprocessor",
            "KerasFlattenRnnPreprocessor", "org.deeplearning4j.preprocessors.KerasFlattenRnnPreprocessor");

    private KerasPreprocessors() {
    }

    /** The configuration with each known Keras-import preprocessor's {@code @class} replaced; others untouched. */
    static String toRuntimeClasses(String json) {
        if (!json.contains(KERAS)) {
            return json;
        }
        Matcher m = CLASS.matcher(json);
        StringBuilder out = new StringBuilder(json.length());
        while (m.find()) {
            String replacement = RUNTIME.getOrDefault(m.group(2), KERAS + m.group(2));
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + replacement + "\""));
        }
        m.appendTail(out);
        return out.toString();
    }
}
