"""Step-by-step reference for the Learner parity test (tests/learn/finetune-parity.test.ts).

    /usr/bin/python3 scripts/torch/make_finetune_reference.py OUT_DIR [--size 16] [--bs 8]

fastai's fine_tune recipe as fastai_recipe.py runs it (the referee), on a seeded torchvision
ResNet-18 body + create_head(512, 3, ps=0), with everything random taken out so two engines can
be compared batch by batch: fixed inputs (already normalised), batches in order, no augmentation,
no dropout. Writes OUT_DIR/initial.safetensors (the state dict before training, studio key names:
body keys as torchvision's, head keys under `head.`), OUT_DIR/data.safetensors (NHWC inputs and
labels) and OUT_DIR/final.safetensors (the state dict after fine_tune), whose metadata `trace`
holds every training loss, the per-group LRs of every batch and the epoch table.
"""
import argparse
import json
import sys
from collections import OrderedDict
from pathlib import Path

import numpy as np
import torch
import torchvision
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fastai_recipe import Learner, apply_init, create_head  # noqa: E402
from make_reference import write_safetensors  # noqa: E402


def studio_state(model):
    out = {}
    for k, v in model.state_dict().items():
        part, rest = k.split(".", 1)
        out[("head." if part == "1" else "") + rest] = v.detach().numpy().copy()
    return out


def make_data(n, size, n_classes, g):
    """Inputs whose class is the channel with the largest mean, so the loss can fall."""
    x = torch.randn(n, 3, size, size, generator=g)
    y = torch.arange(n) % n_classes
    x[torch.arange(n), y] += 0.25
    return x, y


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--size", type=int, default=16)
    ap.add_argument("--bs", type=int, default=8)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--base-lr", type=float, default=2e-3)
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    torch.manual_seed(0)
    tv = torchvision.models.resnet18(weights=None)
    body = nn.Sequential(OrderedDict(list(tv.named_children())[:-2]))
    head = create_head(512, 3, ps=0)
    apply_init(head, nn.init.kaiming_normal_)
    model = nn.Sequential(body, head)
    g = torch.Generator().manual_seed(1)
    xt, yt = make_data(3 * a.bs, a.size, 3, g)
    xv, yv = make_data(a.bs, a.size, 3, g)
    write_safetensors(out / "initial.safetensors", studio_state(model))
    nhwc = lambda x: x.permute(0, 2, 3, 1).contiguous().numpy()  # noqa: E731
    write_safetensors(out / "data.safetensors", {"x_train": nhwc(xt), "y_train": yt.numpy(), "x_valid": nhwc(xv), "y_valid": yv.numpy()})

    learn = Learner(model, xt, yt, xv, yv, a.bs, aug=False, shuffle=False, pre=nn.Identity())
    learn.fine_tune(a.epochs, base_lr=a.base_lr)
    trace = dict(losses=learn.iter_losses, lrs=learn.lr_log, epochs=learn.log, base_lr=a.base_lr, epochs_unfrozen=a.epochs, bs=a.bs)
    write_safetensors(out / "final.safetensors", studio_state(model), {"trace": json.dumps(trace)})
    print(f"losses {np.round(learn.iter_losses, 4).tolist()}", file=sys.stderr)


if __name__ == "__main__":
    main()
