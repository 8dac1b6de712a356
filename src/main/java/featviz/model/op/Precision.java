package featviz.model.op;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The number format of the convolutions' arithmetic. {@link #FP32} everywhere; {@link #BF16} runs oneDNN's bf16
 * convolutions (inputs and weights rounded to bfloat16, sums and results in float) on CPUs with AVX512_BF16 or
 * AMX, about twice the multiply rate of float. Everything else (the image, its parameterization, the objective,
 * the optimiser, pooling, activations) stays in float.
 */
public enum Precision {
    FP32, BF16;

    /**
     * Tests set this to {@code false} to stand for a CPU without AVX512_BF16 and AMX, so that the refusal can be
     * tested on a CPU that has them.
     */
    public static final String CPU_BF16_PROPERTY = "featviz.cpu.bf16";

    /**
     * {@link #FP32}'s 3x3 stride-1 convolutions run oneDNN's Winograd algorithm where it has one (AVX-512 CPUs),
     * which rounds differently from the direct algorithm; {@code -Dfeatviz.winograd=false} keeps them all direct,
     * as featviz did before, for the benchmark's comparison and the tests that hold the two to each other. Read when a
     * network's primitives are built.
     */
    public static final String WINOGRAD_PROPERTY = "featviz.winograd";

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code fp32} or {@code bf16} (any case); null for anything else. */
    public static Precision parse(String s) {
        for (Precision p : values()) {
            if (p.label().equalsIgnoreCase(s.trim())) {
                return p;
            }
        }
        return null;
    }

    /**
     * Why this precision cannot run here, as the end of a sentence, or null when it can: bf16 needs oneDNN
     * (ND4J's CPU backend, not turned off with {@code -Dfeatviz.onednn=false}) and a CPU whose instruction set
     * oneDNN runs bf16 convolutions on (AVX512_BF16 or AMX). Without them oneDNN would emulate bf16 in float:
     * slower than {@link #FP32} for the same rounding.
     */
    public String unavailableReason() {
        if (this == FP32) {
            return null;
        }
        if (!Dnnl.handles(org.nd4j.linalg.api.buffer.DataType.FLOAT)) {
            boolean turnedOff = !Boolean.parseBoolean(System.getProperty("featviz.onednn", "true"));
            String why = turnedOff ? "-Dfeatviz.onednn=false"
                    : PortableOps.active() ? "the portable libnd4j-only path"
                    : "ND4J backend " + org.nd4j.linalg.factory.Nd4j.getBackend().getClass().getSimpleName();
            return "it runs on oneDNN, which is off here (" + why + ")";
        }
        if (!cpuHasBf16()) {
            return "this CPU has neither AVX512_BF16 nor AMX (" + cpuFlagsNote() + ")";
        }
        return null;
    }

    /**
     * Whether oneDNN runs bf16 convolutions natively on this CPU: its effective instruction set includes
     * avx512_core_bf16 (which AMX machines include too). oneDNN reads CPUID itself, and honours
     * {@code ONEDNN_MAX_CPU_ISA}, so this is the answer the convolutions will act on.
     */
    static boolean cpuHasBf16() {
        String simulated = System.getProperty(CPU_BF16_PROPERTY);
        if (simulated != null) {
            return Boolean.parseBoolean(simulated);
        }
        int isa = dnnl_get_effective_cpu_isa();
        return (isa & dnnl_cpu_isa_avx512_core_bf16) == dnnl_cpu_isa_avx512_core_bf16;
    }

    /** What the refusal says about this CPU: oneDNN's instruction set and whether /proc/cpuinfo lists the flags. */
    private static String cpuFlagsNote() {
        if (System.getProperty(CPU_BF16_PROPERTY) != null) {
            return "-D" + CPU_BF16_PROPERTY + "=" + System.getProperty(CPU_BF16_PROPERTY);
        }
        String flags;
        try {
            flags = " " + Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("flags")).findFirst().orElse("") + " ";
        } catch (java.io.IOException | RuntimeException e) {
            flags = "";
        }
        boolean listed = flags.contains(" avx512_bf16 ") || flags.contains(" amx_bf16 ");
        return "oneDNN runs " + isaName(dnnl_get_effective_cpu_isa()) + (listed
                ? "; /proc/cpuinfo lists bf16: is ONEDNN_MAX_CPU_ISA set?" : "");
    }

    private static String isaName(int isa) {
        int[] known = {dnnl_cpu_isa_avx512_core_amx, dnnl_cpu_isa_avx512_core_bf16, dnnl_cpu_isa_avx512_core_vnni,
            dnnl_cpu_isa_avx512_core, dnnl_cpu_isa_avx2_vnni, dnnl_cpu_isa_avx2, dnnl_cpu_isa_avx, dnnl_cpu_isa_sse41};
        String[] names = {"avx512_core_amx", "avx512_core_bf16", "avx512_core_vnni", "avx512_core", "avx2_vnni", "avx2",
            "avx", "sse41"};
        for (int i = 0; i < known.length; i++) {
            if ((isa & known[i]) == known[i]) {
                return names[i];
            }
        }
        return "no vector instructions";
    }
}
