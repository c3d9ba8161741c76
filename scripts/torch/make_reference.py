"""Reference weights and logits for the PyTorch parity tests (run with Debian's /usr/bin/python3).

    /usr/bin/python3 scripts/torch/make_reference.py OUT_DIR [--size 64] [--arch resnet18 resnet50]

For each arch it writes OUT_DIR/<arch>.safetensors (torchvision state_dict, seeded init, BN running
stats calibrated on the images then randomly perturbed so eval mode is non-trivial) and
OUT_DIR/<arch>-io.safetensors with `input` (the exact normalised NHWC batch, so image decoding
differences cannot matter), `logits` (eval-mode torchvision output) and `top5`.
safetensors is written by hand (8-byte LE header length, JSON header, raw LE data), no pip package.
"""
import argparse
import json
import struct
import sys
from pathlib import Path

import numpy as np
import torch
import torchvision
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
IMAGES = [
    ROOT.parent / "shared/datasets/coco128_multilabel/images/val2017/000000000285.jpg",
    ROOT.parent / "shared/datasets/coco128_multilabel/images/val2017/000000001818.jpg",
]
MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)


def write_safetensors(path, tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        a = np.ascontiguousarray(t)
        dtype = {np.float32: "F32", np.int64: "I64"}[a.dtype.type]
        b = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - (8 + len(h)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def load_batch(size):
    xs = []
    for p in IMAGES:
        im = Image.open(p).convert("RGB").resize((size, size), Image.BILINEAR)
        xs.append((np.asarray(im, np.float32) / 255.0 - MEAN) / STD)
    return np.stack(xs).astype(np.float32)  # NHWC


def build(arch, seed, x):
    torch.manual_seed(seed)
    model = getattr(torchvision.models, arch)(weights=None)
    bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    # Calibrate the running stats on the batch (cumulative average), so activations stay in a
    # realistic range through the depth, then perturb every BN tensor randomly.
    for m in bns:
        m.reset_running_stats()
        m.momentum = None
    model.train()
    with torch.no_grad():
        model(x)
        g = torch.Generator().manual_seed(seed + 1)
        for m in bns:
            n = m.num_features
            m.running_mean.mul_(1 + 0.2 * (torch.rand(n, generator=g) - 0.5)).add_(0.05 * torch.randn(n, generator=g))
            # Floor the variances: a channel whose few calibration values happened to agree would
            # otherwise amplify float32 rounding into the logits (ill-conditioned reference).
            m.running_var.mul_(0.7 + 0.6 * torch.rand(n, generator=g)).add_(0.1 * m.running_var.mean())
            m.weight.copy_(0.6 + 0.8 * torch.rand(n, generator=g))
            m.bias.copy_(0.1 * torch.randn(n, generator=g))
            m.momentum = 0.1
        # Like a trained ResNet, keep the residual branches' output small, or the residual
        # stream (and the logits) of a random 16-block ResNet-50 grows to the hundreds.
        for blk in model.modules():
            if isinstance(blk, torchvision.models.resnet.Bottleneck):
                blk.bn3.weight.mul_(0.25)
    return model.eval()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--arch", nargs="+", default=["resnet18", "resnet50"])
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    x_nhwc = load_batch(a.size)
    x = torch.from_numpy(x_nhwc).permute(0, 3, 1, 2).contiguous()
    for arch in a.arch:
        model = build(arch, a.seed, x)
        with torch.no_grad():
            logits = model(x).numpy()
        sd = {k: v.numpy() for k, v in model.state_dict().items()}
        write_safetensors(out / f"{arch}.safetensors", sd, {"arch": arch, "seed": str(a.seed)})
        top5 = np.argsort(-logits, axis=1)[:, :5].astype(np.int64)
        write_safetensors(out / f"{arch}-io.safetensors", {"input": x_nhwc, "logits": logits, "top5": top5},
                          {"arch": arch, "images": json.dumps([p.name for p in IMAGES])})
        print(f"{arch}: logits {logits.shape} range [{logits.min():.3f}, {logits.max():.3f}] top5 {top5.tolist()}",
              file=sys.stderr)


if __name__ == "__main__":
    main()
