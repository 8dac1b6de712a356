#!/usr/bin/env python3
"""Sums an async-profiler collapsed-stack file of `featviz bench` by where the main thread's CPU time went
during the steps (bench/PROFILE.md). The leaf-most featviz frame of each sample decides its row.
  java -agentpath:.../libasyncProfiler.so=start,event=cpu,interval=5ms,file=out.collapsed,collapsed \
       -jar target/featviz.jar bench --model vgg19 --steps 30 --warmup 3
  python3 bench/profile_summary.py out.collapsed
"""
import sys, re, collections
rules = [
 # Inside a blocked region (BlockedGraph) the primitives are called from the region's pass itself; oneDNN's JIT
 # frames have no names, so its backward calls (convolution input gradients, pool gradients) share one row.
 ("blocked region: convolution + max pool input gradients", r"featviz/model/op/BlockedGraph\$Pass\.backward"),
 ("blocked region: max pools, sums", r"featviz/model/op/BlockedGraph\$Pass\.forward"),
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
tot = collections.Counter(); total = 0
for line in open(sys.argv[1]):
    stack, n = line.rstrip().rsplit(" ", 1); n = int(n); total += n
    frames = stack.split(";")
    if not any("featviz/render/Renderer" in f for f in frames):
        tot["(no Renderer frame: start-up, JIT, GC, OpenMP workers)"] += n; continue
    key = None
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
