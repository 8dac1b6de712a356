#!/usr/bin/env python3
"""Sums an async-profiler collapsed-stack file of `featviz bench` by where the main thread's CPU time went
during the steps (bench/PROFILE.md). The leaf-most featviz frame of each sample decides its row.
  java -agentpath:.../libasyncProfiler.so=start,event=cpu,interval=5ms,file=out.collapsed,collapsed \
       -jar target/featviz.jar bench --model vgg19 --steps 30 --warmup 3
  python3 bench/profile_summary.py out.collapsed
"""
import sys, re, collections
rules = [
 ("convolution layout conversions (Conversion)", r"featviz/model/op/Conversion"),
 ("convolution primitives build", r"DnnlConvolution\.(plan|newPlan|build|weightsIn)|Dnnl\.(primitive|primitiveDesc)"),
 ("convolution forward + input gradient", r"featviz/model/op/(DnnlConvolution|Conv2d|LibNd4jConvolution)"),
 ("max pooling", r"featviz/model/op/(DnnlMaxPool|MaxPoolKernel|Pool2d)"),
 ("ReLU", r"featviz/model/op/(DnnlRelu|Relu)"),
 ("new buffers (Memory.allocate: libnd4j zeroing + page faults)", r"featviz/model/op/Memory"),
 ("input preprocessing (mean/scale)", r"featviz/model/Preprocessing"),
 ("transforms (pad, jitter, scale, rotate)", r"featviz/transform/"),
 ("Fourier inverse + adjoint (RealDft2)", r"featviz/param/RealDft2"),
 ("colour matrix + sigmoid (ValidRgb, ColourDecorrelation)", r"featviz/param/(ValidRgb|ColourDecorrelation)"),
 ("spectrum scale (FourierParam)", r"featviz/param/"),
 ("Adam", r"featviz/optim/"),
 ("objective", r"featviz/objective/"),
]
# Inside a BlockedRun (bench/PROFILE.md, "blocked runs") the primitives are called from BlockedRun itself.
blocked = [
 ("convolution layout conversions (BlockedRun: the run's ends, and bf16)", "reorder"),
 ("convolution forward + input gradient", "convolution"),
 ("max pooling", "pool"),
 ("ReLU", "eltwise"),
]
tot = collections.Counter(); total = 0
for line in open(sys.argv[1]):
    stack, n = line.rstrip().rsplit(" ", 1); n = int(n); total += n
    frames = stack.split(";")
    if not any("featviz/render/Renderer" in f for f in frames):
        tot["(no Renderer frame: start-up, JIT, GC, OpenMP workers)"] += n; continue
    key = None
    run = [i for i, f in enumerate(frames) if "featviz/model/op/BlockedRun$Pass" in f]
    if run and not any("featviz/" in f for f in frames[run[-1] + 1:] if "Dnnl$Call" not in f and "Dnnl.address" not in f):
        # A primitive BlockedRun calls itself: oneDNN's own frames below say which.
        native = " ".join(frames[run[-1] + 1:]).lower()
        key = next((name for name, word in blocked if word in native), "blocked run: other")
        tot[key] += n; continue
    for f in reversed(frames):
        if "featviz/" in f and "Dnnl$Call" not in f and "Dnnl.address" not in f and "Dnnl$Scratch" not in f:
            for name, pat in rules:
                if re.search(pat, f): key = name; break
            if key is None: key = "other: " + f.split("(")[0]
            break
    tot[key or "other"] += n
inloop = sum(v for k, v in tot.items() if not k.startswith("("))  # samples with a Renderer frame
print(f"| {'where (CPU samples under Renderer, all threads)':<62} | {'samples':>7} | {'share':>6} |")
print(f"|{'-'*64}|{'-'*9}|{'-'*8}|")
small = [k for k, v in tot.items() if not k.startswith("(") and v < 0.005 * inloop]
if small:
    tot["other (" + str(len(small)) + " places under 0.5% each)"] = sum(tot.pop(k) for k in small)
for k, v in tot.most_common():
    share = f"{100*v/inloop:5.1f}%" if not k.startswith("(") or k.startswith("other (") else ""
    print(f"| {k:<62} | {v:>7} | {share:>6} |")
