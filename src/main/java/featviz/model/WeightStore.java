package featviz.model;

/** Placeholder until the downloader lands (same API). */
public final class WeightStore {
    public record WeightFile(String model, String relativePath, long adler32) {
        public String fileName() {
            return relativePath.substring(relativePath.lastIndexOf('/') + 1);
        }
    }

    public java.nio.file.Path fetch(WeightFile f) {
        throw new featviz.RunFailure("downloads not available yet");
    }
}
