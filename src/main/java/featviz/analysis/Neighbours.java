package featviz.analysis;

/** How well a map keeps classes apart: leave-one-out k-nearest-neighbour accuracy of labelled points. */
public final class Neighbours {
    private Neighbours() {
    }

    /**
     * The share of points whose k nearest other points (Euclidean) vote for their own label: majority vote,
     * a tie going to the label of the nearest of the tied neighbours.
     */
    public static double accuracy(double[][] points, int[] labels, int k) {
        int n = points.length;
        int right = 0;
        for (int i = 0; i < n; i++) {
            int[] nearest = nearest(points, i, k);
            java.util.Map<Integer, Integer> votes = new java.util.HashMap<>();
            for (int j : nearest) {
                votes.merge(labels[j], 1, Integer::sum);
            }
            int most = votes.values().stream().mapToInt(Integer::intValue).max().orElse(0);
            int winner = -1;
            for (int j : nearest) { // nearest first: the first with the most votes wins a tie
                if (votes.get(labels[j]) == most) {
                    winner = labels[j];
                    break;
                }
            }
            if (winner == labels[i]) {
                right++;
            }
        }
        return n == 0 ? 0 : (double) right / n;
    }

    private static int[] nearest(double[][] points, int i, int k) {
        int n = points.length;
        Integer[] order = new Integer[n - 1];
        double[] d = new double[n];
        for (int j = 0, o = 0; j < n; j++) {
            d[j] = Distances.l2(points[i], points[j]);
            if (j != i) {
                order[o++] = j;
            }
        }
        java.util.Arrays.sort(order, java.util.Comparator.<Integer>comparingDouble(j -> d[j]).thenComparingInt(j -> j));
        int m = Math.min(k, n - 1);
        int[] result = new int[m];
        for (int j = 0; j < m; j++) {
            result[j] = order[j];
        }
        return result;
    }
}
