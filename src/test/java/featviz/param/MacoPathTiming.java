package featviz.param;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The measurement behind MacoParam's choice of path on the CPU; not part of the suite. One call is a render
 * step's share: image(), backward() of a gradient of the image's shape, and a small in-place change of the phase
 * (as an optimiser makes), inside a recycled workspace as the Renderer's step. Host loops and {@link MacoOnDevice}
 * alternate in rounds; the medians of the rounds' ms per call are printed.
 *
 * <pre>mvn -B -q -o test -Dtest=MacoPathTiming -Dmaco.timing=3</pre>
 */
@EnabledIfSystemProperty(named = "maco.timing", matches = "[0-9]+")
class MacoPathTiming {
    private static final WorkspaceConfiguration STEP = WorkspaceConfiguration.builder()
            .policyAllocation(AllocationPolicy.OVERALLOCATE).overallocationLimit(0.2)
            .policyLearning(LearningPolicy.FIRST_LOOP).build();

    @Test
    void hostAgainstDevice() {
        int rounds = Integer.getInteger("maco.timing");
        // {size, batch, calls per round}
        int[][] configs = {{28, 1, 200}, {28, 8, 100}, {224, 1, 40}, {224, 8, 10}};
        Spectrum imagenet = Spectrum.imagenet();
        for (int[] c : configs) {
            long[] seeds = new long[c[1]];
            Arrays.setAll(seeds, i -> i + 1);
            MacoParam host = new MacoParam(seeds, imagenet, c[0], c[0], true, DataType.FLOAT, false);
            MacoParam device = new MacoParam(seeds, imagenet, c[0], c[0], true, DataType.FLOAT, true);
            INDArray grad = Nd4j.rand(DataType.FLOAT, c[1], 3, c[0], c[0]).subi(0.5);
            calls(host, grad, 3, "h" + c[0]);
            calls(device, grad, 3, "d" + c[0]);
            List<Double> h = new ArrayList<>();
            List<Double> d = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                h.add(calls(host, grad, c[2], "h" + c[0]));
                d.add(calls(device, grad, c[2], "d" + c[0]));
            }
            double mh = median(h);
            double md = median(d);
            System.out.printf("TIMING %dpx batch %d, %d calls x %d rounds: host %.2f ms, device %.2f ms, device/host %.2f"
                    + " (rounds host %s device %s)%n", c[0], c[1], c[2], rounds, mh, md, md / mh, fmt(h), fmt(d));
        }
    }

    private static double calls(MacoParam p, INDArray grad, int n, String id) {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().getAndActivateWorkspace(STEP, "maco-timing-" + id)) {
                INDArray image = p.image();
                INDArray g = p.backward(grad);
                p.parameters().addi(g.muli(1e-3));
                if (image.length() == 0) {
                    throw new IllegalStateException();
                }
            }
        }
        return (System.nanoTime() - start) / 1e6 / n;
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }

    private static String fmt(List<Double> v) {
        StringBuilder b = new StringBuilder();
        for (double x : v) {
            b.append(b.length() == 0 ? "" : "/").append(String.format("%.1f", x));
        }
        return b.toString();
    }
}
