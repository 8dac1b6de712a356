#!/usr/bin/env python3
"""The PyTorch peer of `featviz bench`: the same workload, the same thread count.

VGG19 truncated after block5_conv4's ReLU, or ResNet-50 rebuilt with the geometry of the zoo's pretrained
file, which `featviz bench` times (featviz.model.ZooArchitectures, Keras 2.0's ResNet50: unpadded 3x3/2 max pool,
112 -> 55, stage 2 unstrided on 55x55 maps, the stride of stages 3-5 on their first 1x1 convolution and
projection) truncated after its last block; random frozen weights; one Adam step on the input image per step, backward to the input only.
Prints one JSON object like `featviz bench --json`.
"""
import argparse
import json
import resource
import statistics
import time

import torch
import torchvision


def vgg19_block5_conv4():
    return torchvision.models.vgg19(weights=None).features[:36]  # conv5_4 and its ReLU


def resnet50_pretrained_geometry():
    m = torchvision.models.resnet50(weights=None)
    m.maxpool.padding = 0  # Keras/DL4J: 3x3/2 max pool without padding, 112 -> 55
    for stage in (m.layer2, m.layer3, m.layer4):
        first = stage[0]
        # Keras ResNet-50 v1: the stride sits on the first 1x1 convolution (torchvision puts it on the 3x3).
        # Stage 2 (layer1) keeps stride 1, as in Keras and featviz.model.ZooArchitectures; an earlier version of
        # this script strided it too (DL4J's init() graph), which timed a quarter of featviz's work there.
        first.conv1.stride = (2, 2)
        first.conv2.stride = (1, 1)
        first.downsample[0].stride = (2, 2)
    return torch.nn.Sequential(m.conv1, m.bn1, m.relu, m.maxpool, m.layer1, m.layer2, m.layer3, m.layer4)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", choices=["vgg19", "resnet50"], default="vgg19")
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    t_start = time.time()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = vgg19_block5_conv4() if a.model == "vgg19" else resnet50_pretrained_geometry()
    net.eval()
    for param in net.parameters():
        param.requires_grad_(False)  # input-only backward, as featviz does
    image = (torch.rand(a.batch, 3, a.size, a.size) * 0.2 + 0.4).requires_grad_(True)
    opt = torch.optim.Adam([image], lr=0.05)

    def step():
        opt.zero_grad()
        objective = net(image)[:, 0].mean()
        (-objective).backward()
        opt.step()

    first_step_at = time.time() - t_start
    for _ in range(max(1, a.warmup)):
        step()
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1e3)
    median = statistics.median(times)
    print(json.dumps({
        "model": a.model, "size": a.size, "batch": a.batch, "ms_per_step": median,
        "ms_per_image": median / a.batch,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3,
        "start_to_first_step_s": first_step_at, "threads": torch.get_num_threads(),
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
