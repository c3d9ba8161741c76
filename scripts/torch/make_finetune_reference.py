"""Step-by-step reference for the Learner parity test (tests/learn/finetune-parity.test.ts).

    /usr/bin/python3 scripts/torch/make_finetune_reference.py OUT_DIR [--arch resnet18|resnet-tiny|keras-resnet50]
        [--size 16] [--bs 8]

fastai's fine_tune recipe as fastai_recipe.py runs it (the referee), on a seeded torchvision
ResNet-18 body (the studio's `resnet-tiny`: torchvision's blocks at widths 4-16; or the referee's
port of the bundled ImageNet Keras ResNet50, issue 5's body) +
create_head(nf, 3, ps=0), with everything random taken out so two engines can be compared batch
by batch: fixed inputs (already normalised), batches in order, no augmentation, no dropout.
Writes OUT_DIR/initial.safetensors (the state dict before training, studio key names: body keys
as torchvision's or Keras', head keys under `head.`), OUT_DIR/data.safetensors (NHWC inputs and
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
from keras_resnet50 import _module_pairs, load_keras_resnet50  # noqa: E402
from make_reference import write_safetensors  # noqa: E402


def studio_state(model):
    """The studio's keys: torchvision names, or Keras layer names for the Keras port's body."""
    keras = {}
    if hasattr(model[0], "keras_names"):
        for mod, kname in _module_pairs(model[0]):
            for attr in ("weight", "bias", "running_mean", "running_var", "num_batches_tracked"):
                if getattr(mod, attr, None) is not None:
                    keras[id(getattr(mod, attr))] = f"{kname}.{attr}"
    out = {}
    for k, v in model.state_dict(keep_vars=True).items():
        part, rest = k.split(".", 1)
        key = keras.get(id(v)) if part == "0" and keras else None
        out[key or ("head." if part == "1" else "") + rest] = v.detach().numpy().copy()
    return out


def resnet_tiny():
    """The studio's resnet-tiny (src/models/resnet.ts): torchvision's layout, one BasicBlock a stage."""
    from torchvision.models.resnet import BasicBlock

    mods, cin = [("conv1", nn.Conv2d(3, 4, 7, 2, 3, bias=False)), ("bn1", nn.BatchNorm2d(4)), ("relu", nn.ReLU(inplace=True)),
                 ("maxpool", nn.MaxPool2d(3, 2, 1))], 4
    for i, (w, stride) in enumerate(zip([4, 8, 8, 16], [1, 2, 2, 2])):
        down = None
        if stride != 1 or cin != w:
            down = nn.Sequential(nn.Conv2d(cin, w, 1, stride, bias=False), nn.BatchNorm2d(w))
        mods.append((f"layer{i + 1}", nn.Sequential(BasicBlock(cin, w, stride, down))))
        cin = w
    body = nn.Sequential(OrderedDict(mods))
    for m in body.modules():  # torchvision's init
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
    return body


def make_data(n, size, n_classes, g, scale=1.0):
    """Inputs whose class is the channel with the largest mean, so the loss can fall."""
    x = torch.randn(n, 3, size, size, generator=g)
    y = torch.arange(n) % n_classes
    x[torch.arange(n), y] += 0.25
    x *= scale  # caffe-normalised input (Keras) spans about +-100
    return x, y


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--arch", choices=["resnet18", "resnet-tiny", "keras-resnet50"], default="resnet18")
    ap.add_argument("--size", type=int, default=16)
    ap.add_argument("--bs", type=int, default=8)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--base-lr", type=float, default=2e-3)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (a control: two runs that differ only in float rounding)")
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    if a.arch == "keras-resnet50":
        body, nf, scale = load_keras_resnet50(with_top=False).train(), 2048, 50.0
    elif a.arch == "resnet-tiny":
        body, nf, scale = resnet_tiny(), 16, 1.0
    else:
        tv = torchvision.models.resnet18(weights=None)
        body, nf, scale = nn.Sequential(OrderedDict(list(tv.named_children())[:-2])), 512, 1.0
    head = create_head(nf, 3, ps=0)
    apply_init(head, nn.init.kaiming_normal_)
    model = nn.Sequential(body, head)
    g = torch.Generator().manual_seed(1)
    xt, yt = make_data(3 * a.bs, a.size, 3, g, scale)
    xv, yv = make_data(a.bs, a.size, 3, g, scale)
    write_safetensors(out / "initial.safetensors", studio_state(model))
    nhwc = lambda x: x.permute(0, 2, 3, 1).contiguous().numpy()  # noqa: E731
    write_safetensors(out / "data.safetensors", {"x_train": nhwc(xt), "y_train": yt.numpy(), "x_valid": nhwc(xv), "y_valid": yv.numpy()})

    learn = Learner(model, xt, yt, xv, yv, a.bs, aug=False, shuffle=False, pre=nn.Identity())
    learn.fine_tune(a.epochs, base_lr=a.base_lr)
    trace = dict(arch=a.arch, losses=learn.iter_losses, lrs=learn.lr_log, epochs=learn.log, base_lr=a.base_lr, epochs_unfrozen=a.epochs, bs=a.bs)
    write_safetensors(out / "final.safetensors", studio_state(model), {"trace": json.dumps(trace)})
    print(f"losses {np.round(learn.iter_losses, 4).tolist()}", file=sys.stderr)


if __name__ == "__main__":
    main()
