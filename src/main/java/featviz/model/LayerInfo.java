package featviz.model;

/**
 * One row of {@code featviz layers}: a vertex under the name users type, its DL4J type, its output shape
 * for one image (C, H, W for images; N for vectors) and whether featviz can optimise towards it.
 */
public record LayerInfo(String name, String type, long[] shape, boolean target) {
    public long channels() {
        return shape.length == 0 ? 0 : shape[0];
    }

    public String shapeText() {
        if (shape.length == 0) {
            return "(not at this size)";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : "x").append(shape[i]);
        }
        return sb.toString();
    }
}
