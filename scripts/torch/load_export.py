#!/usr/bin/env python3
"""Loads a Studio safetensors export (model.safetensors + config.json) into PyTorch.

Builds the body named by config.json's key_naming (torchvision's ResNet children up to layer4, as
fastai's create_body; or, for "keras-resnet50", the Keras ResNet50 port of keras_resnet50.py, whose
input is caffe-preprocessed: BGR, 0..255, mean subtracted, as config.json's normalization says) and
fastai's create_head, loads the weights strictly, and prints the eval-mode class
probabilities of the images in an input safetensors file (tensor `input`: float32 NHWC RGB
pixels in [0, 1]; the normalisation of config.json is applied here).

Usage: load_export.py EXPORT_DIR INPUT.safetensors [OUT.json]
Needs only torch + torchvision (no fastai, no safetensors package: the file is parsed here).
"""
import json
import struct
import sys
from pathlib import Path

import torch
import torchvision
from torch import nn

DTYPES = {"F32": torch.float32, "I64": torch.int64, "F16": torch.float16}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    body = data[8 + n :]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        t = torch.frombuffer(bytearray(body[b:e]), dtype=DTYPES[info["dtype"]]) if e > b else torch.empty(0, dtype=DTYPES[info["dtype"]])
        out[name] = t.reshape(info["shape"]).clone()
    return out


class AdaptiveConcatPool2d(nn.Module):
    """fastai's: cat([max pool, avg pool]) over the channels."""

    def __init__(self):
        super().__init__()
        self.ap = nn.AdaptiveAvgPool2d(1)
        self.mp = nn.AdaptiveMaxPool2d(1)

    def forward(self, x):
        return torch.cat([self.mp(x), self.ap(x)], 1)


def make_head(layers):
    mods = []
    for i, l in enumerate(layers):
        assert l["index"] == i, "head layers must be listed index by index"
        t = l["type"]
        if t == "AdaptiveConcatPool2d":
            mods.append(AdaptiveConcatPool2d())
        elif t == "Flatten":
            mods.append(nn.Flatten())
        elif t == "BatchNorm1d":
            mods.append(nn.BatchNorm1d(l["num_features"], eps=l["eps"], momentum=l["momentum"]))
        elif t == "Dropout":
            mods.append(nn.Dropout(l["p"]))
        elif t == "Linear":
            mods.append(nn.Linear(l["in_features"], l["out_features"], bias=l["bias"]))
        elif t == "ReLU":
            mods.append(nn.ReLU(inplace=True))
        else:
            raise ValueError(f"unknown head layer {t}")
    return nn.Sequential(*mods)


def keras_body(cfg, sd):
    """The Keras ResNet50 body with its weights from the export's Keras-named keys (no top)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from keras_resnet50 import _module_pairs, keras_resnet50_body

    body = keras_resnet50_body(eps=cfg["bn_eps"])
    used = set()
    for mod, kname in _module_pairs(body):
        attrs = ["weight", "bias"] + (["running_mean", "running_var", "num_batches_tracked"] if isinstance(mod, nn.BatchNorm2d) else [])
        for a in attrs:
            key = f"{kname}.{a}"
            if key not in sd:
                raise SystemExit(f"model.safetensors: no {key} for the Keras ResNet50 body")
            getattr(mod, a).data.copy_(sd[key])
            used.add(key)
    return body, used


def build(export_dir):
    with open(f"{export_dir}/config.json") as f:
        cfg = json.load(f)
    sd = read_safetensors(f"{export_dir}/model.safetensors")
    head_cfg = cfg["head"]
    if cfg["key_naming"] == "keras-resnet50":
        body, used = keras_body(cfg, sd)
        rest = sorted(k for k in sd if k not in used)
        if head_cfg["type"] == "fastai":
            head = make_head(head_cfg["layers"])
            head.load_state_dict({k[len("head.") :]: v for k, v in sd.items() if k.startswith("head.")}, strict=True)
            assert all(k.startswith("head.") for k in rest), rest[:5]
            return nn.Sequential(body, head).eval(), cfg
        fc = nn.Linear(2048, sd[f"{head_cfg['key']}.weight"].shape[0])
        fc.load_state_dict({"weight": sd[f"{head_cfg['key']}.weight"], "bias": sd[f"{head_cfg['key']}.bias"]})
        assert rest == sorted([f"{head_cfg['key']}.weight", f"{head_cfg['key']}.bias"]), rest[:5]
        return nn.Sequential(body, nn.AdaptiveAvgPool2d(1), nn.Flatten(), fc).eval(), cfg
    if cfg["key_naming"] != "torchvision":
        raise SystemExit(f"this loader rebuilds torchvision and Keras ResNets; got key naming {cfg['key_naming']}")
    arch = cfg["architecture"]
    tv = getattr(torchvision.models, arch)(weights=None)
    if head_cfg["type"] == "fastai":
        body_sd = {k: v for k, v in sd.items() if not k.startswith("head.")}
        head_sd = {k[len("head.") :]: v for k, v in sd.items() if k.startswith("head.")}
        body = nn.Sequential(*list(tv.children())[:-2])  # fastai create_body: cut avgpool + fc
        # The Sequential renames torchvision's children 0..7; load through torchvision's names.
        tv.fc = nn.Identity()
        missing, unexpected = tv.load_state_dict(body_sd, strict=False)
        assert not unexpected and not missing, (missing, unexpected)
        head = make_head(head_cfg["layers"])
        head.load_state_dict(head_sd, strict=True)
        model = nn.Sequential(body, head)
    else:
        n = sd[f"{head_cfg['key']}.weight"].shape[0]
        tv.fc = nn.Linear(tv.fc.in_features, n)
        tv.load_state_dict(sd, strict=True)
        model = tv
    return model.eval(), cfg


def main():
    export_dir, input_path = sys.argv[1], sys.argv[2]
    model, cfg = build(export_dir)
    x = read_safetensors(input_path)["input"]  # NHWC, RGB in [0, 1]
    norm = cfg["normalization"]
    x = x * norm["scale"]
    if norm["bgr"]:
        x = x.flip(-1)
    x = (x - torch.tensor(norm["mean"])) / torch.tensor(norm["std"])
    x = x.permute(0, 3, 1, 2).contiguous()
    with torch.no_grad():
        logits = model(x)
        probs = torch.sigmoid(logits) if cfg["multi_label"] else torch.softmax(logits, 1)
    out = {"probs": probs.tolist(), "logits": logits.tolist(), "classes": cfg["classes"]}
    if len(sys.argv) > 3:
        with open(sys.argv[3], "w") as f:
            json.dump(out, f)
    else:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
