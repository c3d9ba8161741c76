"""`from fastai.vision.all import *` for the studio's tests only (fastai is not installable on the
test machine): the names a Studio reproduction script (src/export/reproScript.ts) uses, in plain
PyTorch + PIL, following fastai's semantics where the tests compare results: items, labellers,
splitters (RandomSplitter draws torch.randperm under torch.manual_seed(seed)), vocab from the
training set, valid batches in item order. The Learner builds fastai's model (create_body +
create_head) so exported weights load for real, but records its fit calls instead of training.

    PYTHONPATH=scripts/torch/fastai_shim /usr/bin/python3 train.py DATA_DIR
"""
import inspect
import json
import os
import re
import sys
from functools import partial
from pathlib import Path

import numpy as np
import torch
import torchvision
from PIL import Image
from torch import nn


imagenet_stats = ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
resnet18, resnet34, resnet50 = (torchvision.models.resnet18, torchvision.models.resnet34, torchvision.models.resnet50)
IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"}


def _call(name, *args, **kwargs):
    """One line per Learner call: what the tests compare with the session history."""
    enc = lambda v: {"slice": [v.start, v.stop]} if isinstance(v, slice) else v if isinstance(v, (int, float, str, bool, type(None), list, tuple)) else type(v).__name__
    kw = {k: ([enc(x) for x in v] if isinstance(v, list) else enc(v)) for k, v in kwargs.items()}
    print("call:", json.dumps({"name": name, "args": [enc(a) for a in args], **({"kwargs": kw} if kw else {})}))


# ************* items, labels, splits *************
def get_image_files(path):
    out = []
    for root, dirs, files in os.walk(path):
        dirs[:] = [d for d in dirs if not d.startswith(".")]  # as fastai's get_files
        out += [Path(root) / f for f in files if not f.startswith(".") and Path(f).suffix.lower() in IMAGE_EXTS]
    return out


def parent_label(o):
    return Path(o).parent.name


class RegexLabeller:
    def __init__(self, pat, match=False):
        self.pat, self.match = re.compile(pat), match

    def __call__(self, o):
        res = (self.pat.match if self.match else self.pat.search)(str(o))
        assert res, f'Failed to find "{self.pat.pattern}" in "{o}"'
        return res.group(1)


def using_attr(f, attr):
    return lambda o: f(getattr(o, attr))


class ColReader:
    def __init__(self, cols, pref="", suff="", label_delim=None):
        self.col, self.pref, self.suff, self.label_delim = cols, pref, suff, label_delim

    def __call__(self, r):
        o = r[self.col]
        if self.pref or self.suff:
            o = f"{self.pref}{o}{self.suff}"
        if self.label_delim is None:
            return o
        return o.split(self.label_delim) if len(o) > 0 else []


def RandomSplitter(valid_pct=0.2, seed=None):
    def _inner(o):
        if seed is not None:
            torch.manual_seed(seed)
        idx = torch.randperm(len(o)).tolist()
        cut = int(valid_pct * len(o))
        return idx[cut:], idx[:cut]

    return _inner


def GrandparentSplitter(train_name="train", valid_name="valid"):
    def _inner(o):
        gp = [Path(x).parent.parent.name for x in o]
        return [i for i, g in enumerate(gp) if g == train_name], [i for i, g in enumerate(gp) if g == valid_name]

    return _inner


# ************* transforms *************
class ResizeMethod:
    Squish, Crop, Pad = "squish", "crop", "pad"


class Resize:
    def __init__(self, size, method=ResizeMethod.Crop, pad_mode="reflection"):
        self.size, self.method = size, method

    def __call__(self, im):  # the validation path (centre crop, no randomness)
        w, h = im.size
        if self.method == ResizeMethod.Crop:
            s = min(w, h)
            im = im.crop(((w - s) // 2, (h - s) // 2, (w - s) // 2 + s, (h - s) // 2 + s))
        elif self.method == ResizeMethod.Pad:
            s = max(w, h)
            canvas = Image.new("RGB", (s, s))
            canvas.paste(im, ((s - w) // 2, (s - h) // 2))
            im = canvas
        return im.resize((self.size, self.size), Image.BILINEAR)


def RandomResizedCrop(size, min_scale=0.08, ratio=(3 / 4, 4 / 3), val_xtra=0.14):
    return Resize(size, ResizeMethod.Crop)


def aug_transforms(mult=1.0, do_flip=True, flip_vert=False, max_rotate=10.0, min_zoom=1.0, max_zoom=1.1,
                   max_lighting=0.2, max_warp=0.2, p_affine=0.75, p_lighting=0.75, xtra_tfms=None, size=None,
                   mode="bilinear", pad_mode="reflection", align_corners=True, batch=False, min_scale=1.0):
    return []  # training-only: the checks read validation batches


class Normalize:
    def __init__(self, mean, std):
        self.mean, self.std = torch.tensor(mean).view(1, 3, 1, 1), torch.tensor(std).view(1, 3, 1, 1)

    @classmethod
    def from_stats(cls, mean, std):
        return cls(mean, std)

    def __call__(self, x):
        return (x - self.mean) / self.std


# ************* DataBlock -> DataLoaders *************
ImageBlock = "ImageBlock"


class CategoryBlock:
    multi, vocab = False, None

    def __init__(self, vocab=None, sort=True, add_na=False):
        self.vocab = vocab


class MultiCategoryBlock(CategoryBlock):
    multi = True


class DataLoader:
    def __init__(self, dls, ds, bs, shuffle):
        self.dls, self.ds, self.bs, self.shuffle = dls, ds, bs, shuffle

    def one_batch(self):
        order = torch.randperm(len(self.ds)).tolist() if self.shuffle else range(len(self.ds))
        batch = [self.ds[i] for i in list(order)[: self.bs]]
        x = torch.stack([self.dls.image(f) for f, _ in batch])
        for t in self.dls.batch_tfms:
            x = t(x)
        return x, torch.stack([self.dls.target(y) for _, y in batch])


class DataLoaders:
    def __init__(self, train_ds, valid_ds, vocab, multi, item_tfms, batch_tfms, bs):
        self.train_ds, self.valid_ds, self.vocab, self.multi = train_ds, valid_ds, vocab, multi
        self.item_tfms, self.batch_tfms = item_tfms, batch_tfms
        self.size = item_tfms[0].size if item_tfms else None
        self.train, self.valid = DataLoader(self, train_ds, bs, True), DataLoader(self, valid_ds, bs, False)

    def image(self, f):
        im = Image.open(f).convert("RGB")
        for t in self.item_tfms:
            im = t(im)
        return torch.from_numpy(np.asarray(im, np.float32) / 255).permute(2, 0, 1)

    def target(self, y):
        if not self.multi:
            return torch.tensor(self.vocab.index(y))
        return torch.tensor([float(c in y) for c in self.vocab])


class DataBlock:
    def __init__(self, blocks, get_items=None, get_x=None, get_y=None, splitter=None, item_tfms=None, batch_tfms=None):
        self.multi, self.vocab = blocks[1].multi, blocks[1].vocab
        self.get_items, self.get_x, self.get_y = get_items, get_x or (lambda o: o), get_y
        self.splitter = splitter or RandomSplitter()
        as_list = lambda t: list(t) if isinstance(t, (list, tuple)) else [t] if t else []
        self.item_tfms, self.batch_tfms = as_list(item_tfms), as_list(batch_tfms)

    def dataloaders(self, source, bs=64):
        items = self.get_items(source) if self.get_items else list(source)
        train, valid = self.splitter(items)
        ds = lambda idx: [(self.get_x(items[i]), self.get_y(items[i])) for i in idx]
        train_ds, valid_ds = ds(train), ds(valid)
        # fastai's Categorize/MultiCategorize: the vocab given, else the training set's, sorted.
        labels = [l for _, y in train_ds for l in (y if self.multi else [y])]
        vocab = list(self.vocab) if self.vocab is not None else sorted(set(labels))
        return DataLoaders(train_ds, valid_ds, vocab, self.multi, self.item_tfms, self.batch_tfms, bs)


# ************* the Learner: fastai's model, recorded calls *************
class AdaptiveConcatPool2d(nn.Module):
    def __init__(self):
        super().__init__()
        self.ap, self.mp = nn.AdaptiveAvgPool2d(1), nn.AdaptiveMaxPool2d(1)

    def forward(self, x):
        return torch.cat([self.mp(x), self.ap(x)], 1)


def create_head(nf, n_out):
    """fastai create_head(nf, n_out) with its defaults: concat pool, lin_ftrs [512], ps 0.25/0.5."""
    return nn.Sequential(AdaptiveConcatPool2d(), nn.Flatten(), nn.BatchNorm1d(2 * nf), nn.Dropout(0.25),
                         nn.Linear(2 * nf, 512, bias=False), nn.ReLU(inplace=True), nn.BatchNorm1d(512),
                         nn.Dropout(0.5), nn.Linear(512, n_out, bias=False))


class Learner:
    def __init__(self, dls, model, loss_func):
        self.dls, self.model, self.loss_func = dls, model, loss_func

    def __setattr__(self, name, value):
        if name in ("dls", "wd") and hasattr(self, "model"):
            _call(name, value.size if name == "dls" else value)
        super().__setattr__(name, value)

    def validate(self):
        _call("validate")
        x, y = self.dls.valid.one_batch()
        with torch.no_grad():
            return [float(self.loss_func(self.model.eval()(x), y))]

    def __getattr__(self, name):  # fit_one_cycle, fine_tune, fit_sgdr, fit, freeze, unfreeze, export, ...
        if name in ("fit", "fit_one_cycle", "fine_tune", "fit_sgdr", "freeze", "unfreeze", "freeze_to", "export"):
            return partial(_call, name)
        raise AttributeError(name)


def vision_learner(dls, arch, pretrained=True, loss_func=None, metrics=None, opt_func=None, wd=None, cbs=None, **kw):
    if opt_func is not None:  # fastai's optimizer signature: a misspelt setting fails here
        inspect.signature(opt_func.func).bind_partial(**opt_func.keywords)
    body = nn.Sequential(*list(arch(weights=None).children())[:-2])
    nf = body[-1][-1].conv3.out_channels if hasattr(body[-1][-1], "conv3") else body[-1][-1].conv2.out_channels
    _call("vision_learner", arch.__name__, pretrained=pretrained, loss_func=loss_func, wd=wd)
    return Learner(dls, nn.Sequential(body, create_head(nf, len(dls.vocab))), loss_func)


def Adam(params, lr, mom=0.9, sqr_mom=0.99, eps=1e-5, wd=0.01, decouple_wd=True):
    raise NotImplementedError("the shim does not train")


def SGD(params, lr, mom=0.0, wd=0.0, decouple_wd=True):
    raise NotImplementedError("the shim does not train")


def CrossEntropyLossFlat():
    return nn.CrossEntropyLoss()


def LabelSmoothingCrossEntropy(eps=0.1):
    return nn.CrossEntropyLoss(label_smoothing=eps)


def BCEWithLogitsLossFlat():
    return nn.BCEWithLogitsLoss()


def error_rate(inp, targ):
    return (inp.argmax(-1) != targ).float().mean()


def accuracy_multi(inp, targ, thresh=0.5):
    return ((inp.sigmoid() > thresh) == targ.bool()).float().mean()


class MixUp:
    def __init__(self, alpha=0.4):
        self.alpha = alpha


class SaveModelCallback:
    def __init__(self, monitor="valid_loss"):
        self.monitor = monitor


__all__ = [n for n in dir() if not n.startswith("_")]
