#!/usr/bin/env python3
"""The Lucid-style PyTorch peer of `featviz bench` at its default (lucid) preset: Lucent's `render_vis` with
its defaults, written out in plain PyTorch (Lucent and kornia are not installable here), on the same
truncated network as bench/torch_peer.py, random frozen weights, the same thread count.

Followed line by line from Lucent's source (github.com/greentfrapp/lucent, lucent/optvis):
- param/spatial.py fft_image: spectrum [N, C, H, W/2+1, 2] ~ N(0, 0.01); scale = 1 / max(f, 1/max(H, W))
  with f from fftfreq; image = irfftn(scale * spectrum, s=(H, W), norm='ortho') / 4.
- param/color.py to_valid_rgb(decorrelate=True): per-pixel matmul with the normalised colour matrix
  (transposed, channels last), then sigmoid.
- transform.py standard_transforms: pad 12 (constant 0.5); jitter 8 (kornia.translate: an affine warp, same
  size, bilinear, zeros outside); random_scale 1 + (i-5)/50 (Upsample to ceil(s*size), bilinear,
  align_corners=True, then F.pad by ceil((size - scaled)/2) if it shrank); random_rotate -10..10 plus five 0s
  (kornia.warp_affine with get_rotation_matrix2d about the centre); jitter 4.
- render.py: transforms.normalize() appended (preprocess=True, torchvision mean/std); no upsampling, as the
  image is 224 (>= 224); Adam(lr=0.05) on the spectrum; optimizer.step(closure) with loss.backward().
- objectives.channel: -mean of the channel's activations; here image b maximises channel b, as featviz
  bench does at --batch N.
kornia's warp_affine is F.affine_grid + F.grid_sample on the normalised inverse matrix; the same two calls
are made here. Prints one JSON object like `featviz bench --json`, with the mean network input size.
"""
import argparse
import json
import math
import resource
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F

from torch_peer import resnet50_pretrained_geometry, vgg19_block5_conv4

COLOR_SVD_SQRT = np.asarray([[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]], dtype="float32")
COLOR_NORMALIZED = COLOR_SVD_SQRT / np.max(np.linalg.norm(COLOR_SVD_SQRT, axis=0))


def rfft2d_freqs(h, w):
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.fft.fftfreq(w)[: w // 2 + 2] if w % 2 == 1 else np.fft.fftfreq(w)[: w // 2 + 1]
    return np.sqrt(fx * fx + fy * fy)


def fft_image(shape, sd=0.01, decay_power=1):
    batch, channels, h, w = shape
    freqs = rfft2d_freqs(h, w)
    spectrum = (torch.randn(batch, channels, *freqs.shape, 2) * sd).requires_grad_(True)
    scale = torch.tensor(1.0 / np.maximum(freqs, 1.0 / max(w, h)) ** decay_power).float()[None, None, ..., None]

    def inner():
        scaled = torch.view_as_complex(scale * spectrum)
        image = torch.fft.irfftn(scaled, s=(h, w), norm="ortho")
        return image[:batch, :channels, :h, :w] / 4.0

    return [spectrum], inner


def to_valid_rgb(image_f):
    matrix = torch.tensor(COLOR_NORMALIZED.T)

    def inner():
        image = image_f().permute(0, 2, 3, 1)
        image = torch.matmul(image, matrix).permute(0, 3, 1, 2)
        return torch.sigmoid(image)

    return inner


def warp_affine(image, m):
    """kornia.warp_affine(image, m, dsize=(h, w)), align_corners=True: m maps source pixels to output pixels."""
    b, _, h, w = image.shape
    m3 = torch.cat([m, torch.tensor([[[0.0, 0.0, 1.0]]]).expand(b, 1, 3)], dim=1)
    # pixel <-> [-1, 1] coordinates (align_corners=True), as kornia's normalize_homography
    norm = torch.tensor([[2.0 / (w - 1), 0.0, -1.0], [0.0, 2.0 / (h - 1), -1.0], [0.0, 0.0, 1.0]])
    dst_from_src = norm @ m3 @ torch.inverse(norm)
    src_from_dst = torch.inverse(dst_from_src)[:, :2, :]
    grid = F.affine_grid(src_from_dst, [b, image.shape[1], h, w], align_corners=True)
    return F.grid_sample(image, grid, mode="bilinear", padding_mode="zeros", align_corners=True)


def jitter(d):
    def inner(image):
        dx, dy = np.random.choice(d), np.random.choice(d)
        m = torch.tensor([[[1.0, 0.0, float(dx)], [0.0, 1.0, float(dy)]]]).expand(image.shape[0], 2, 3)
        return warp_affine(image, m)  # kornia.geometry.transform.translate
    return inner


def pad(w, value):
    return lambda image: F.pad(image, [w] * 4, mode="constant", value=value)


def random_scale(scales):
    def inner(image):
        scale = np.random.choice(scales)
        shp = image.shape[2:]
        scale_shape = [int(math.ceil(scale * d)) for d in shp]
        pad_x = max(0, int(math.ceil((shp[1] - scale_shape[1]) / 2)))
        pad_y = max(0, int(math.ceil((shp[0] - scale_shape[0]) / 2)))
        up = F.interpolate(image, size=scale_shape, mode="bilinear", align_corners=True)
        return F.pad(up, [pad_y, pad_x] * 2)  # Lucent's order, kept as written
    return inner


def random_rotate(angles):
    def inner(image):
        b, _, h, w = image.shape
        alpha = math.radians(np.random.choice(angles))
        cx, cy = (w - 1) / 2, (h - 1) / 2
        a, s = math.cos(alpha), math.sin(alpha)
        # kornia.get_rotation_matrix2d(center, angle, scale=1): OpenCV's getRotationMatrix2D
        m = torch.tensor([[[a, s, (1 - a) * cx - s * cy], [-s, a, s * cx + (1 - a) * cy]]]).expand(b, 2, 3)
        return warp_affine(image, m)
    return inner


def normalize():
    mean = torch.tensor([0.485, 0.456, 0.406])[None, :, None, None]
    std = torch.tensor([0.229, 0.224, 0.225])[None, :, None, None]
    return lambda image: (image - mean) / std


def standard_transforms():
    return [pad(12, 0.5), jitter(8), random_scale([1 + (i - 5) / 50.0 for i in range(11)]),
            random_rotate(list(range(-10, 11)) + 5 * [0]), jitter(4), normalize()]


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
    np.random.seed(0)
    net = vgg19_block5_conv4() if a.model == "vgg19" else resnet50_pretrained_geometry()
    net.eval()
    for param in net.parameters():
        param.requires_grad_(False)  # Lucent's models are frozen by the user; only the image is optimised
    params, image_f = fft_image((a.batch, 3, a.size, a.size))
    image_f = to_valid_rgb(image_f)
    opt = torch.optim.Adam(params, lr=0.05)
    transforms = standard_transforms()
    sizes = []

    def step():
        def closure():
            opt.zero_grad()
            x = image_f()
            for t in transforms:
                x = t(x)
            sizes.append(x.shape[2] * x.shape[3])
            act = net(x)
            loss = -sum(act[b, b % act.shape[1]].mean() for b in range(a.batch))
            loss.backward()
            return loss
        opt.step(closure)

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
        "model": a.model, "size": a.size, "batch": a.batch, "preset": "lucent render_vis defaults",
        "ms_per_step": median, "ms_per_image": median / a.batch,
        "mean_input_px": math.sqrt(statistics.mean(sizes)),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3,
        "start_to_first_step_s": first_step_at, "threads": torch.get_num_threads(),
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
