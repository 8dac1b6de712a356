package featviz.model.op;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.Arrays;
import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * oneDNN's C API, called directly (JavaCPP's {@code org.bytedeco:dnnl} presets) for the CPU's hot ops.
 *
 * <p>libnd4j routes its convolutions through oneDNN too, but rebuilds every primitive on every call, converts
 * the weights to oneDNN's blocked layout on every call, and converts the output array into that layout before
 * the convolution overwrites it: about 45 ms of layout conversions per ResNet-50 batch-8 step more than
 * PyTorch spends. Called directly, a primitive is built once per input shape and the weights are converted
 * once.
 *
 * <p>Only on ND4J's CPU backend and only in float (oneDNN's CPU convolutions are f32/bf16/int8): the CUDA
 * backend keeps the arrays on the device, and the double-precision gradient checks run libnd4j's ops.
 * {@code -Dfeatviz.onednn=false} turns it off, which is how the benchmark compares the two paths; so does the
 * portable path ({@link PortableOps}), where only libnd4j's ops run.
 */
final class Dnnl {
    private static final Engine ENGINE = Engine.load();

    private Dnnl() {
    }

    /** Whether arrays of this type can go through oneDNN here. */
    static boolean handles(DataType type) {
        return ENGINE != null && type == DataType.FLOAT && !PortableOps.active();
    }

    /** Whether this array can go to oneDNN as it is: of a type it handles, dense in row-major order. */
    static boolean handles(INDArray a) {
        return handles(a.dataType()) && a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a);
    }

    /** The one CPU engine and its in-order stream; null when oneDNN cannot be used. */
    private record Engine(dnnl_engine engine, dnnl_stream stream) {
        static Engine load() {
            if (!Boolean.parseBoolean(System.getProperty("featviz.onednn", "true"))
                    || !Nd4j.getEnvironment().isCPU()) {
                return null;
            }
            try {
                Loader.load(org.bytedeco.dnnl.global.dnnl.class);
                dnnl_engine engine = new dnnl_engine();
                check(dnnl_engine_create(engine, dnnl_cpu, 0), "creating the CPU engine");
                dnnl_stream stream = new dnnl_stream();
                check(dnnl_stream_create(stream, engine, dnnl_stream_default_flags), "creating a stream");
                return new Engine(engine, stream);
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                // No native library for this platform: libnd4j's ops do the work instead.
                return null;
            }
        }
    }

    static void check(int status, String what) {
        if (status != dnnl_success) {
            throw new IllegalStateException("oneDNN failed " + what + " (status " + status + ")");
        }
    }

    /** A float memory descriptor: {@code tag} is a plain layout such as {@code dnnl_nchw}, or {@code dnnl_format_tag_any}. */
    static dnnl_memory_desc_t desc(int tag, long... dims) {
        dnnl_memory_desc_t md = new dnnl_memory_desc_t();
        try (LongPointer d = new LongPointer(dims)) {
            check(dnnl_memory_desc_init_by_tag(md, dims.length, d, dnnl_f32, tag), "describing an array");
        }
        return md;
    }

    /** The same of another element type ({@code dnnl_bf16} for {@link Precision#BF16}'s convolutions). */
    static dnnl_memory_desc_t typedDesc(int dataType, int tag, long... dims) {
        dnnl_memory_desc_t md = new dnnl_memory_desc_t();
        try (LongPointer d = new LongPointer(dims)) {
            check(dnnl_memory_desc_init_by_tag(md, dims.length, d, dataType, tag), "describing an array");
        }
        return md;
    }

    static long bytes(dnnl_memory_desc_t md) {
        return dnnl_memory_desc_get_size(md);
    }

    /** How many elements a buffer of this layout holds, padding included (what an element-wise op runs over). */
    static long elements(dnnl_memory_desc_t md) {
        return bytes(md) / (md.data_type() == dnnl_f32 ? Float.BYTES : Short.BYTES);
    }

    /**
     * A primitive descriptor for an op descriptor, optionally hinted by its forward primitive, whose scratchpad
     * the caller provides ({@link Call} does, from {@link Scratch#PAD}).
     */
    static dnnl_primitive_desc primitiveDesc(Pointer opDesc, dnnl_primitive_desc hint, String what) {
        return primitiveDesc(opDesc, hint, false, what);
    }

    /** The same, with a ReLU applied to the primitive's output as it is written when {@code relu} (a post-op). */
    static dnnl_primitive_desc primitiveDesc(Pointer opDesc, dnnl_primitive_desc hint, boolean relu, String what) {
        dnnl_primitive_desc pd = offeredPrimitiveDesc(opDesc, hint, relu, what);
        if (pd == null) {
            throw new IllegalStateException("oneDNN failed " + what + " (no implementation)");
        }
        return pd;
    }

    /**
     * The same, or null when oneDNN has no implementation for it: for an algorithm that only some shapes have
     * (Winograd), whose caller then asks for another.
     */
    static dnnl_primitive_desc offeredPrimitiveDesc(Pointer opDesc, dnnl_primitive_desc hint, boolean relu,
            String what) {
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        dnnl_primitive_attr attr = userScratchpad();
        if (relu) {
            dnnl_post_ops ops = new dnnl_post_ops();
            check(dnnl_post_ops_create(ops), "creating post-ops");
            try {
                check(dnnl_post_ops_append_eltwise(ops, 1f, dnnl_eltwise_relu, 0f, 0f), "appending a ReLU");
                check(dnnl_primitive_attr_set_post_ops(attr, ops), "setting post-ops");
            } finally {
                dnnl_post_ops_destroy(ops);
            }
        }
        try {
            int status = dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(opDesc), attr, ENGINE.engine(), hint);
            if (status == dnnl_unimplemented) {
                return null;
            }
            check(status, what);
        } finally {
            dnnl_primitive_attr_destroy(attr);
        }
        return pd;
    }

    /**
     * Attributes asking for a scratchpad from the caller, so that one per-thread buffer, as large as the largest
     * request, serves every primitive whatever oneDNN was built with (a build with concurrent execution gives
     * each primitive its own scratchpad for its lifetime). With the presets' build the peak RSS measured the
     * same either way: this guards the bound, it does not lower it.
     */
    private static dnnl_primitive_attr userScratchpad() {
        dnnl_primitive_attr attr = new dnnl_primitive_attr();
        check(dnnl_primitive_attr_create(attr), "creating primitive attributes");
        check(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user), "asking for a scratchpad");
        return attr;
    }

    /** The name of the implementation oneDNN chose, such as {@code jit:avx512_core} or {@code simple_nchw:any}. */
    static String implementation(dnnl_primitive_desc pd) {
        try (PointerPointer<BytePointer> name = new PointerPointer<>(1)) {
            check(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, name), "naming an implementation");
            return name.get(BytePointer.class, 0).getString();
        }
    }

    /** The memory descriptor a primitive wants for one of its arguments ({@code dnnl_query_src_md}, ...). */
    static dnnl_memory_desc_t query(dnnl_primitive_desc pd, int what) {
        dnnl_memory_desc_t md = new dnnl_memory_desc_t();
        md.put(dnnl_primitive_desc_query_md(pd, what, 0));
        return md;
    }

    /** A primitive holds its own copy of the descriptor it was made from. */
    static void destroy(dnnl_primitive_desc pd) {
        dnnl_primitive_desc_destroy(pd);
    }

    static void destroy(dnnl_memory m) {
        dnnl_memory_destroy(m);
    }

    static dnnl_primitive primitive(dnnl_primitive_desc pd, String what) {
        dnnl_primitive p = new dnnl_primitive();
        check(dnnl_primitive_create(p, pd), what);
        return p;
    }

    /** A memory object with no buffer yet: {@link Call#run} points it at an array's buffer on each call. */
    static dnnl_memory memory(dnnl_memory_desc_t md) {
        dnnl_memory m = new dnnl_memory();
        check(dnnl_memory_create(m, md, ENGINE.engine(), null), "creating a memory object");
        return m;
    }

    /** A memory object owning a buffer oneDNN allocates (converted weights). */
    static dnnl_memory ownedMemory(dnnl_memory_desc_t md) {
        dnnl_memory m = new dnnl_memory();
        check(dnnl_memory_create(m, md, ENGINE.engine(), new Pointer() {
            {
                address = -1L; // DNNL_MEMORY_ALLOCATE
            }
        }), "allocating a converted array");
        return m;
    }

    /** The buffer a memory object points at. */
    static Pointer handle(dnnl_memory m) {
        Pointer handle = new Pointer();
        check(dnnl_memory_get_data_handle(m, handle), "reading a buffer address");
        return handle;
    }

    /** Whether two descriptors describe the same layout (then no conversion is needed). */
    static boolean same(dnnl_memory_desc_t a, dnnl_memory_desc_t b) {
        return dnnl_memory_desc_equal(a, b) != 0;
    }

    /** The native address of an array's first element. */
    static Pointer address(INDArray a) {
        long first = a.data().address() + a.offset() * a.data().getElementSize();
        return new Pointer() {
            {
                address = first; // (a local named address would be shadowed by this inherited field)
            }
        };
    }

    /** A primitive with its argument slots, executed on arrays given per call. */
    static final class Call {
        private final String what;
        private final dnnl_primitive primitive;
        private final int[] kinds;
        private final dnnl_memory[] memories;
        private final boolean[] bound; // memories someone else owns (converted weights)
        private final dnnl_exec_arg_t args;
        private final long scratchpadBytes; // the last slot is the scratchpad when this is not 0

        /** @param kinds the argument kinds ({@code DNNL_ARG_SRC}, ...), with their descriptors in the same order */
        Call(String what, dnnl_primitive_desc pd, int[] kinds, dnnl_memory_desc_t[] descs) {
            this.what = what;
            this.primitive = primitive(pd, what);
            dnnl_memory_desc_t pad = query(pd, dnnl_query_scratchpad_md);
            this.scratchpadBytes = bytes(pad);
            int slots = kinds.length + (scratchpadBytes > 0 ? 1 : 0);
            this.kinds = Arrays.copyOf(kinds, slots);
            dnnl_memory_desc_t[] mds = Arrays.copyOf(descs, slots);
            if (scratchpadBytes > 0) {
                this.kinds[kinds.length] = DNNL_ARG_SCRATCHPAD;
                mds[kinds.length] = pad;
            }
            this.memories = new dnnl_memory[slots];
            this.bound = new boolean[slots];
            this.args = new dnnl_exec_arg_t(slots);
            for (int i = 0; i < slots; i++) {
                memories[i] = memory(mds[i]);
                args.getPointer(i).arg(this.kinds[i]).memory(memories[i]);
            }
        }

        /** Replaces one argument's memory by a memory that owns its buffer (converted weights). */
        Call bind(int kind, dnnl_memory owned) {
            for (int i = 0; i < kinds.length; i++) {
                if (kinds[i] == kind) {
                    dnnl_memory_destroy(memories[i]);
                    memories[i] = owned;
                    bound[i] = true;
                    args.getPointer(i).memory(owned);
                    return this;
                }
            }
            throw new IllegalArgumentException("no argument " + kind);
        }

        /** Runs the primitive; {@code buffers[i]} is the address for argument i, or null for a bound one. */
        void run(Pointer... buffers) {
            for (int i = 0; i < buffers.length; i++) {
                if (buffers[i] != null) {
                    check(dnnl_memory_set_data_handle(memories[i], buffers[i]), what);
                }
            }
            if (scratchpadBytes > 0) {
                check(dnnl_memory_set_data_handle(memories[kinds.length - 1], Scratch.PAD.get().at(scratchpadBytes)),
                        what);
            }
            check(dnnl_primitive_execute(primitive, ENGINE.stream(), kinds.length, args), what);
            check(dnnl_stream_wait(ENGINE.stream()), what);
        }

        /** Frees the primitive and its argument slots (not the bound memories: their owner frees those). */
        void close() {
            dnnl_primitive_destroy(primitive);
            for (int i = 0; i < memories.length; i++) {
                if (!bound[i]) {
                    dnnl_memory_destroy(memories[i]);
                }
            }
        }
    }

    /** A layout conversion between two descriptors of the same array. */
    static Call reorder(dnnl_memory_desc_t from, dnnl_memory_desc_t to) {
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        dnnl_primitive_attr attr = userScratchpad();
        try {
            check(dnnl_reorder_primitive_desc_create(pd, from, ENGINE.engine(), to, ENGINE.engine(), attr),
                    "creating a layout conversion");
        } finally {
            dnnl_primitive_attr_destroy(attr);
        }
        try {
            return new Call("converting a layout", pd, new int[] {DNNL_ARG_FROM, DNNL_ARG_TO},
                    new dnnl_memory_desc_t[] {from, to});
        } finally {
            dnnl_primitive_desc_destroy(pd);
        }
    }

    /**
     * Per-thread buffers that grow to the largest request and are reused by every call: a converted input
     * ({@link #INPUT}), a primitive's output before its conversion ({@link #OUTPUT}) and the primitives'
     * scratchpad ({@link #PAD}). Taken from the buffer pool instead, a converted copy of every activation size
     * stayed allocated beside the activations.
     */
    static final class Scratch {
        static final ThreadLocal<Scratch> INPUT = ThreadLocal.withInitial(Scratch::new);
        static final ThreadLocal<Scratch> OUTPUT = ThreadLocal.withInitial(Scratch::new);
        static final ThreadLocal<Scratch> PAD = ThreadLocal.withInitial(Scratch::new);

        private dnnl_memory buffer; // 64-byte aligned by oneDNN
        private Pointer start;
        private long capacity;

        /** The start of at least {@code bytes} bytes, valid until this scratch is asked for more. */
        Pointer at(long bytes) {
            if (bytes > capacity) {
                if (buffer != null) {
                    destroy(buffer);
                }
                buffer = ownedMemory(desc(dnnl_x, (bytes + Float.BYTES - 1) / Float.BYTES));
                start = handle(buffer);
                capacity = bytes;
            }
            return start;
        }
    }
}
