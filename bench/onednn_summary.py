#!/usr/bin/env python3
"""Sums the oneDNN primitive executions of a featviz run by kind, from oneDNN's own timings (its verbose mode),
for bench/PROFILE.md: how much of a step the convolutions, the layout conversions (reorders), the ReLUs and the
pools take, measured by oneDNN around each call rather than sampled.
  ONEDNN_VERBOSE=1 java -jar target/featviz.jar bench --model vgg19 --steps 8 --warmup 24 > run.txt
  python3 bench/onednn_summary.py run.txt [steps]     # steps: divide by the number of steps run (warm-up too)
"""
import collections, sys
time, calls = collections.Counter(), collections.Counter()
for line in open(sys.argv[1], errors="replace"):
    f = line.rstrip().split(",")
    if len(f) < 10 or not f[0].endswith("_verbose") or f[1] != "exec":
        continue
    kind, prop = f[3], f[5]
    if kind == "reorder":
        key = "layout conversion (reorder)"
    elif kind == "convolution":
        key = "convolution " + ("input gradient" if "backward" in prop else "forward")
    elif kind == "eltwise":
        key = "ReLU " + ("gradient" if "backward" in prop else "forward")
    elif kind.startswith("pooling"):
        key = "max pool " + ("gradient" if "backward" in prop else "forward")
    else:
        key = kind + " " + prop
    time[key] += float(f[-1]); calls[key] += 1
steps = float(sys.argv[2]) if len(sys.argv) > 2 else 1
total = sum(time.values())
print(f"| {'oneDNN primitive':<32} | {'calls/step':>10} | {'ms/step':>8} | {'share':>6} |")
print(f"|{'-'*34}|{'-'*12}|{'-'*10}|{'-'*8}|")
for k, v in time.most_common():
    print(f"| {k:<32} | {calls[k]/steps:>10.1f} | {v/steps:>8.1f} | {100*v/total:>5.1f}% |")
print(f"| {'all oneDNN':<32} | {sum(calls.values())/steps:>10.1f} | {total/steps:>8.1f} |        |")
