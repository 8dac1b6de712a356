package featviz.model;

import featviz.UsageException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The names users type for a network's vertices. Zoo graphs answer to Keras names whatever their
 * weights (the random zoo graphs name vertices differently from the pretrained files); a vertex's own
 * DL4J name is accepted too.
 */
public final class LayerNames {
    private final Map<String, String> displayByVertex;
    private final Map<String, String> vertexByName = new HashMap<>();
    private final List<String> displayNames;

    /** @param aliases vertex name to the name shown to users (vertices not in it show their own name) */
    public LayerNames(List<String> vertices, Map<String, String> aliases) {
        this.displayByVertex = new HashMap<>();
        for (String v : vertices) {
            String display = aliases.getOrDefault(v, v);
            displayByVertex.put(v, display);
            vertexByName.put(v, v);
        }
        // Display names win over raw vertex names where the two collide.
        displayByVertex.forEach((v, d) -> vertexByName.put(d, v));
        this.displayNames = vertices.stream().map(displayByVertex::get).toList();
    }

    public String display(String vertex) {
        return displayByVertex.getOrDefault(vertex, vertex);
    }

    /** The vertex a user's layer name means, or a one-line error listing the closest names. */
    public String resolve(String name, String modelName) {
        String v = vertexByName.get(name);
        if (v != null) {
            return v;
        }
        List<String> closest = displayNames.stream()
                .sorted(Comparator.comparingInt((String d) -> editDistance(name.toLowerCase(), d.toLowerCase()))
                        .thenComparing(Comparator.naturalOrder()))
                .limit(5).collect(Collectors.toList());
        throw new UsageException("unknown layer '" + name + "' in " + modelName + "; closest: "
                + String.join(", ", closest) + " (featviz layers --model " + modelName + " lists them all)");
    }

    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
