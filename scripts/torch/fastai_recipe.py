"""PyTorch as the referee: fastai's `fine_tune` recipe, re-implemented in plain PyTorch, run on the
bundled Keras ResNet50 (ported by keras_resnet50.py). fastai itself is not installable here, so every
piece below follows fastai's source (2.7): vision_learner/create_head/_resnet_split, Learner.freeze
(train_bn, wd_bn_bias=False), Adam (optimizer.py), fit_one_cycle/fine_tune/combined_cos/lr_find
(callback/schedule.py), Resize/RandomResizedCrop and aug_transforms() (vision/augment.py).

    /usr/bin/python3 scripts/torch/fastai_recipe.py [--data ../shared/datasets/sign_language_digits]
        [--size 64] [--bs 64] [--epochs 1] [--freeze-epochs 1] [--base-lr 2e-3 | --lr-find] [--seed 42]
        [--item-tfm resize|random-resized-crop] [--resize-method crop|squish|pad]
        [--per-class N] [--valid-per-class N] [--threads 2] [--scratch [--lr 1e-3]] [--out report.json]

The item transform defaults to fastai's Resize(size) (method crop); the parity numbers recorded before
it existed used `--resize-method squish`. `--scratch` trains the same net from random init at the same
budget: fastai's from-scratch habit, `fit_one_cycle(freeze_epochs + epochs, lr)` with nothing frozen.
Prints a JSON report on stdout (progress on stderr).
"""
import argparse
import json
import math
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fastai_item_tfms import item_tfm, open_image, to_uint8  # noqa: E402
from fastai_lr_find import lr_find  # noqa: E402
from keras_resnet50 import CaffePreprocess, keras_resnet50_body, load_image, load_keras_resnet50  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp"}

# ---------------------------------------------------------------- schedules (callback/schedule.py)


def sched_cos(start, end, pos):
    return start + (1 + math.cos(math.pi * (1 - pos))) * (end - start) / 2


def combined_cos(pct, start, middle, end):
    """Cosine start->middle over the first `pct` of training, then middle->end (combine_scheds)."""
    pcts = [0.0, pct, 1.0]

    def _inner(pos):
        idx = 0 if pos < pcts[1] else 1  # min((pos >= pcts).nonzero().max(), pct_lim)
        actual = (pos - pcts[idx]) / (pcts[idx + 1] - pcts[idx])
        return sched_cos((start, middle)[idx], (middle, end)[idx], actual)

    return _inner


def even_mults(start, stop, n):
    """fastai's even_mults: n values, geometrically spaced from start to stop."""
    if n == 1:
        return np.array([stop])
    step = (stop / start) ** (1 / (n - 1))
    return np.array([start * step**i for i in range(n)])


def lr_per_group(lr, n_groups):
    """Optimizer.set_hyper('lr', v): slice(hi) -> [hi/10]*(n-1) + [hi]; slice(lo, hi) -> even_mults."""
    if isinstance(lr, slice):
        if lr.start:
            return even_mults(lr.start, lr.stop, n_groups)
        return np.array([lr.stop / 10] * (n_groups - 1) + [lr.stop])
    return np.broadcast_to(np.asarray(lr, dtype=np.float64), (n_groups,)).copy()  # scalar or one per group


def one_cycle_scheds(lr_max, div=25.0, div_final=1e5, pct_start=0.25, moms=(0.95, 0.85, 0.95)):
    """fit_one_cycle's ParamScheduler: lr (per group, ndarray) and mom as functions of pct_train."""
    lr_max = np.asarray(lr_max, dtype=np.float64)
    return {"lr": combined_cos(pct_start, lr_max / div, lr_max, lr_max / div_final), "mom": combined_cos(pct_start, *moms)}


# ---------------------------------------------------------------- optimizer (optimizer.py)


class FastaiAdam:
    """Adam(mom=0.9, sqr_mom=0.99, eps=1e-5, wd=0.01, decouple_wd=True) with fastai's step order:
    weight_decay (p *= 1 - lr*wd, skipped for do_wd=False), average_grad(dampening=True),
    average_sqr_grad, step_stat, adam_step (debias with the *current* mom)."""

    def __init__(self, param_groups, lr=1e-3, mom=0.9, sqr_mom=0.99, eps=1e-5, wd=0.01):
        self.param_groups = [list(g) for g in param_groups]
        self.hypers = [dict(lr=lr, mom=mom, sqr_mom=sqr_mom, eps=eps, wd=wd) for _ in self.param_groups]
        self.state = {p: {} for g in self.param_groups for p in g}

    def set_hyper(self, k, v):
        vals = lr_per_group(v, len(self.hypers)) if k == "lr" else np.broadcast_to(np.asarray(v, np.float64), (len(self.hypers),))
        for h, x in zip(self.hypers, vals):
            h[k] = float(x)

    @staticmethod
    def to_float(x):
        """IntToFloatTensor for uint8 images; float inputs pass through."""
        return x.float() / 255.0 if x.dtype == torch.uint8 else x

    def freeze_to(self, n):
        """Groups before n stop training, except parameters marked force_train (BN with train_bn)."""
        n = n if n >= 0 else len(self.param_groups) + n
        for i, g in enumerate(self.param_groups):
            for p in g:
                p.requires_grad_(i >= n or self.state[p].get("force_train", False))

    def clear_state(self):
        """Learner.freeze_to calls this: moments and step counts go, do_wd/force_train stay."""
        for p, s in self.state.items():
            self.state[p] = {k: s[k] for k in ("force_train", "do_wd") if k in s}

    def zero_grad(self):
        for g in self.param_groups:
            for p in g:
                if p.grad is not None:
                    p.grad.detach_()
                    p.grad.zero_()

    @torch.no_grad()
    def step(self):
        for g, h in zip(self.param_groups, self.hypers):
            lr, mom, sqr_mom, eps, wd = h["lr"], h["mom"], h["sqr_mom"], h["eps"], h["wd"]
            for p in g:
                if p.grad is None:  # all_params(with_grad=True)
                    continue
                s = self.state[p]
                if s.get("do_wd", True) and wd != 0:
                    p.mul_(1 - lr * wd)
                if "grad_avg" not in s:
                    s["grad_avg"] = torch.zeros_like(p)
                    s["sqr_avg"] = torch.zeros_like(p)
                    s["step"] = 0
                grad = p.grad
                s["grad_avg"].mul_(mom).add_(grad, alpha=1 - mom)
                s["sqr_avg"].mul_(sqr_mom).addcmul_(grad, grad, value=1 - sqr_mom)
                s["step"] += 1
                debias1 = 1 - mom ** s["step"]
                debias2 = 1 - sqr_mom ** s["step"]
                p.addcdiv_(s["grad_avg"], (s["sqr_avg"] / debias2).sqrt() + eps, value=-lr / debias1)


# ---------------------------------------------------------------- model (vision/learner.py, layers.py)


class AdaptiveConcatPool2d(nn.Module):
    def forward(self, x):
        return torch.cat([F.adaptive_max_pool2d(x, 1), F.adaptive_avg_pool2d(x, 1)], 1)


def fastai_bn1d(nf):
    """layers.BatchNorm(nf, ndim=1): weight 1, bias 1e-3."""
    bn = nn.BatchNorm1d(nf)
    with torch.no_grad():
        bn.bias.fill_(1e-3)
        bn.weight.fill_(1.0)
    return bn


def create_head(nf, n_out, ps=0.5):
    """create_head(nf, n_out) defaults: concat pool, [2nf, 512, n_out], ps [0.25, 0.5], first_bn.
    LinBnDrop leaves the Dropout out when its p is 0 (so the Sequential indices shift, as in fastai)."""
    drop = lambda p: [nn.Dropout(p)] if p else []  # noqa: E731
    return nn.Sequential(
        AdaptiveConcatPool2d(), nn.Flatten(),
        fastai_bn1d(nf * 2), *drop(ps / 2), nn.Linear(nf * 2, 512, bias=False), nn.ReLU(inplace=True),
        fastai_bn1d(512), *drop(ps), nn.Linear(512, n_out, bias=False),
    )


def apply_init(m, func=nn.init.kaiming_normal_):
    """torch_core.apply_init: every non-norm module with a weight gets func(weight), bias 0."""
    norm_types = (nn.BatchNorm1d, nn.BatchNorm2d)
    for mod in m.modules():
        if isinstance(mod, norm_types) or getattr(mod, "weight", None) is None:
            continue
        func(mod.weight)
        if getattr(mod, "bias", None) is not None:
            with torch.no_grad():
                mod.bias.fill_(0.0)


def scratch_init(body):
    """What a torchvision resnet gets with weights=None: kaiming fan_out convs, BN 1/0 (conv bias 0)."""
    for m in body.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
            m.reset_running_stats()


def resnet_split(model):
    """_resnet_split: body[:6] (stem, layer1, layer2), body[6:] (layer3, layer4), head."""
    body, head = model[0], model[1]
    return [list(body[:6].parameters()), list(body[6:].parameters()), list(head.parameters())]


def norm_bias_params(m, with_bias=True):
    if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
        return list(m.parameters())
    res = [p for c in m.children() for p in norm_bias_params(c, with_bias)]
    if with_bias and getattr(m, "bias", None) is not None:
        res.append(m.bias)
    return res


# ---------------------------------------------------------------- data (Resize squish + aug_transforms)


def list_split(folder, vocab=None, per_class=None):
    folder = Path(folder)
    vocab = vocab or sorted(d.name for d in folder.iterdir() if d.is_dir())
    files, ys = [], []
    for yi, c in enumerate(vocab):
        found = [f for f in sorted((folder / c).rglob("*")) if f.suffix.lower() in IMAGE_EXTS]
        files += found[:per_class]
        ys += [yi] * len(found[:per_class])
    return files, torch.tensor(ys), vocab


def load_split(folder, size, vocab=None, per_class=None):
    """Resize(size, method='squish') once, up front (it draws nothing): the old parity runs' path."""
    files, ys, vocab = list_split(folder, vocab, per_class)
    return torch.stack([(load_image(f, size) * 255).round().to(torch.uint8) for f in files]), ys, vocab


def tfm_split(files, tfm, train, rng):
    return torch.stack([to_uint8(tfm(open_image(f), train, rng)) for f in files])


def _mask(x, p, neutral=0.0):
    """augment.mask_tensor: keep each draw with probability p, else neutral."""
    keep = torch.empty_like(x).bernoulli_(p)
    return (x - neutral) * keep + neutral


def _affine(*ms):
    z, o = torch.zeros_like(ms[0]), torch.ones_like(ms[0])
    return torch.stack([torch.stack(ms[0:3], 1), torch.stack(ms[3:6], 1), torch.stack([z, z, o], 1)], 1)


def _find_coeffs(p1, p2):
    rows = []
    p = p1[:, 0, 0]
    one, zero = torch.ones_like(p), torch.zeros_like(p)
    for i in range(p1.shape[1]):
        rows.append(torch.stack([p2[:, i, 0], p2[:, i, 1], one, zero, zero, zero, -p1[:, i, 0] * p2[:, i, 0], -p1[:, i, 0] * p2[:, i, 1]]))
        rows.append(torch.stack([zero, zero, zero, p2[:, i, 0], p2[:, i, 1], one, -p1[:, i, 1] * p2[:, i, 0], -p1[:, i, 1] * p2[:, i, 1]]))
    A = torch.stack(rows).permute(2, 0, 1)
    return torch.linalg.solve(A, p1.reshape(p1.shape[0], 8, 1))


def _apply_perspective(coords, coeffs):
    sz = coords.shape
    coords = coords.view(sz[0], -1, 2)
    coeffs = torch.cat([coeffs, torch.ones_like(coeffs[:, :1])], 1).view(coeffs.shape[0], 3, 3)
    c1 = coords @ coeffs[..., :2].transpose(1, 2) + coeffs[..., 2].unsqueeze(1)
    if (c1[..., 2] == 0.0).any():
        return coords[..., :2].view(*sz)
    return (c1 / c1[..., 2].unsqueeze(-1))[..., :2].reshape(*sz)


def aug_transforms_batch(x, max_rotate=10.0, max_zoom=1.1, max_lighting=0.2, max_warp=0.2, p_affine=0.75, p_lighting=0.75):
    """aug_transforms() defaults on a float batch in [0,1], as setup_aug_tfms composes them: one affine
    (flip @ rotate @ zoom, then the perspective warp on the grid, bilinear, reflection padding,
    align_corners=True) and one lighting step (brightness then contrast, in logit space)."""
    n, dev = x.shape[0], x.device
    # Flip(p=0.5)
    flip = 1 - 2 * _mask(torch.ones(n, device=dev), 0.5)
    z, o = torch.zeros(n, device=dev), torch.ones(n, device=dev)
    m = _affine(flip, z, z, z, o, z)
    # Rotate(max_deg=10, p=.75)
    th = _mask(torch.empty(n, device=dev).uniform_(-max_rotate, max_rotate), p_affine) * math.pi / 180
    m = m @ _affine(th.cos(), th.sin(), z, -th.sin(), th.cos(), z)
    # Zoom(1, 1.1, p=.75): scale 1/zoom around a random centre
    s = 1 / _mask(torch.empty(n, device=dev).uniform_(1.0, max_zoom), p_affine, neutral=1.0)
    col, row = torch.rand(n, device=dev), torch.rand(n, device=dev)
    m = m @ _affine(s, z, (1 - s) * (2 * col - 1), z, s, (1 - s) * (2 * row - 1))
    # Warp(magnitude=.2, p=.75): x_t and y_t masked independently
    xt = _mask(torch.empty(n, device=dev).uniform_(-max_warp, max_warp), p_affine)
    yt = _mask(torch.empty(n, device=dev).uniform_(-max_warp, max_warp), p_affine)
    orig = torch.tensor([[-1, -1], [-1, 1], [1, -1], [1, 1]], dtype=x.dtype, device=dev).unsqueeze(0).expand(n, 4, 2)
    targ = torch.stack([torch.stack([-1 - yt, -1 - xt]), torch.stack([-1 + yt, 1 + xt]), torch.stack([1 + yt, -1 + xt]), torch.stack([1 - yt, 1 - xt])]).permute(2, 0, 1)
    coords = F.affine_grid(m[:, :2], list(x.shape), align_corners=True)  # square images: _prepare_mat is a no-op
    coords = _apply_perspective(coords, _find_coeffs(orig, targ))
    x = F.grid_sample(x, coords, mode="bilinear", padding_mode="reflection", align_corners=True)
    # Brightness + Contrast (p=.75 each), applied to logit(x)
    b = _mask(torch.empty(n, device=dev).uniform_(0.5 * (1 - max_lighting), 0.5 * (1 + max_lighting)), p_lighting, neutral=0.5)
    c = torch.exp(torch.empty(n, device=dev).uniform_(math.log(1 - max_lighting), -math.log(1 - max_lighting)))
    c = _mask(c, p_lighting, neutral=1.0)
    xc = x.clamp(1e-7, 1 - 1e-7)
    lx = -(1 / xc - 1).log()
    lb = -(1 / b - 1).log()
    return torch.sigmoid((lx + lb[:, None, None, None]) * c[:, None, None, None])


# ---------------------------------------------------------------- the Learner loop


class Learner:
    def __init__(self, model, xs_train, ys_train, xs_valid, ys_valid, bs, aug=True, wd=0.01, shuffle=True, pre=None):
        """xs: uint8 NCHW images (IntToFloatTensor and `pre` run per batch), or for xs_train a function
        returning them (random item transforms draw again every epoch). The step-parity test passes
        float inputs that are already normalised, shuffle=False and pre=nn.Identity()."""
        self.model, self.bs, self.aug, self.shuffle = model, bs, aug, shuffle
        self.xt, self.yt, self.xv, self.yv = xs_train, ys_train, xs_valid, ys_valid
        self.pre = pre or CaffePreprocess()
        self.loss_func = nn.CrossEntropyLoss()
        self.opt = FastaiAdam(resnet_split(model), wd=wd)
        for p in norm_bias_params(model, True):  # wd_bn_bias=False
            self.opt.state[p]["do_wd"] = False
        for p in norm_bias_params(model, False):  # train_bn=True
            self.opt.state[p]["force_train"] = True
        self.log, self.lr_log, self.mom_log, self.iter_losses = [], [], [], []
        self.moms = (0.95, 0.85, 0.95)
        self.phase_seconds = {}

    @staticmethod
    def to_float(x):
        """IntToFloatTensor for uint8 images; float inputs pass through."""
        return x.float() / 255.0 if x.dtype == torch.uint8 else x

    def train_x(self):
        return self.xt() if callable(self.xt) else self.xt

    def fix_x(self):
        """The training images through validation's item transform (fastai v0.7's fix_dl)."""
        return getattr(self.xt, "fix", self.xt)() if callable(self.xt) else self.xt

    def train_batch(self, xt, idx):
        """One training step on xt[idx] with the optimizer's current hypers; returns the loss."""
        x = self.to_float(xt[idx])
        if self.aug:
            x = aug_transforms_batch(x)
        x = self.pre(x)  # in place of Normalize.from_stats(*imagenet_stats): Keras caffe mode
        loss = self.loss_func(self.model(x), self.yt[idx])
        loss.backward()
        self.opt.step()
        self.opt.zero_grad()
        return float(loss)

    def freeze_to(self, n):
        self.opt.freeze_to(n)
        self.opt.clear_state()

    def freeze(self):
        self.freeze_to(-1)

    def unfreeze(self):
        self.freeze_to(0)

    def fit_one_cycle(self, n_epoch, lr_max, div=25.0, div_final=1e5, pct_start=0.25, phase=""):
        self.opt.set_hyper("lr", lr_max)
        lr_max = np.array([h["lr"] for h in self.opt.hypers])
        scheds = one_cycle_scheds(lr_max, div, div_final, pct_start, self.moms)
        n_iter = len(self.yt) // self.bs  # train DataLoader: shuffle=True, drop_last=True
        total, it = n_epoch * n_iter, 0
        smooth_val, smooth_count = 0.0, 0  # AvgSmoothLoss(beta=0.98), reset per fit
        t_fit = time.time()
        for epoch in range(n_epoch):
            t0, c0 = time.time(), time.process_time()
            self.model.train()
            xt = self.train_x()
            perm = torch.randperm(len(xt)) if self.shuffle else torch.arange(len(xt))
            losses = []
            for b in range(n_iter):
                pos = it / total
                self.opt.set_hyper("lr", scheds["lr"](pos))
                self.opt.set_hyper("mom", scheds["mom"](pos))
                self.lr_log.append([h["lr"] for h in self.opt.hypers])
                self.mom_log.append(self.opt.hypers[-1]["mom"])
                lv = self.train_batch(xt, perm[b * self.bs:(b + 1) * self.bs])
                losses.append(lv)
                self.iter_losses.append(lv)
                smooth_val, smooth_count = 0.98 * smooth_val + 0.02 * lv, smooth_count + 1
                it += 1
                if it % 5 == 0:  # progress on stderr: a run on 2 shared cores can take a while
                    print(f"{phase} iter {it}/{total} loss {lv:.4f} {time.time() - t0:.0f}s", file=sys.stderr, flush=True)
            valid_loss, acc = self.validate()
            self.log.append(dict(
                phase=phase, epoch=epoch,
                train_loss=smooth_val / (1 - 0.98**smooth_count),  # fastai's train_loss column
                train_loss_mean=float(np.mean(losses)),
                valid_loss=valid_loss, accuracy=acc, seconds=round(time.time() - t0, 2),
                cpu_seconds=round(time.process_time() - c0, 2),  # wall time depends on who else is on the 2 cores
            ))
            print(json.dumps(self.log[-1]), file=sys.stderr, flush=True)
        self.phase_seconds[phase] = round(time.time() - t_fit, 2)

    def fine_tune(self, epochs, base_lr=2e-3, freeze_epochs=1, lr_mult=100, pct_start=0.3, div=5.0):
        self.freeze()
        if freeze_epochs:  # 0: the frozen epoch ran elsewhere (--precompute)
            self.fit_one_cycle(freeze_epochs, slice(base_lr), pct_start=0.99, phase="frozen")
        base_lr /= 2
        self.unfreeze()
        self.fit_one_cycle(epochs, slice(base_lr / lr_mult, base_lr), pct_start=pct_start, div=div, phase="unfrozen")

    @torch.no_grad()
    def validate(self):
        self.model.eval()
        tot_loss, correct, n = 0.0, 0, len(self.xv)
        for b in range(0, n, self.bs):  # valid DataLoader: same bs, in order, keeps the last batch
            x = self.pre(self.to_float(self.xv[b:b + self.bs]))
            y = self.yv[b:b + self.bs]
            out = self.model(x)
            tot_loss += float(self.loss_func(out, y)) * len(y)
            correct += int((out.argmax(1) == y).sum())
        return tot_loss / n, correct / n


@torch.no_grad()
def body_features(learn, xs):
    """fastai v0.7 precompute: the frozen body once over every image, eval mode, validation's transforms."""
    body = learn.model[0].eval()
    return torch.cat([body(learn.pre(learn.to_float(xs[b:b + learn.bs]))) for b in range(0, len(xs), learn.bs)])


def precomputed_head(learn):
    """A Learner of the head alone on cached body features (the studio's --precompute): same head
    modules (shared parameters), same optimizer kind and wd, features as inputs."""
    ft, fv = body_features(learn, learn.fix_x()), body_features(learn, learn.xv)
    head = nn.Sequential(nn.Sequential(), learn.model[1])  # resnet_split: empty body groups, then the head
    return Learner(head, ft, learn.yt, fv, learn.yv, learn.bs, aug=False, pre=nn.Identity())


def build_model(n_out, pretrained, bn_momentum):
    body = load_keras_resnet50(with_top=False) if pretrained else keras_resnet50_body()
    if not pretrained:
        scratch_init(body)
    head = create_head(2048, n_out)
    apply_init(head, nn.init.kaiming_normal_)
    model = nn.Sequential(body, head)
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.momentum = bn_momentum
    return model


def load_data(args):
    """Train and valid uint8 tensors; the train set is a function when its item transform draws."""
    data = Path(args.data)
    valid_dir = data / "val" if (data / "val").is_dir() else data / "valid"
    vpc = args.valid_per_class if args.valid_per_class is not None else args.per_class
    if args.item_tfm == "resize" and args.resize_method == "squish":
        xt, yt, vocab = load_split(data / "train", args.size, per_class=args.per_class)
        xv, yv, _ = load_split(valid_dir, args.size, vocab, per_class=vpc)
        return xt, yt, xv, yv, vocab
    ft, yt, vocab = list_split(data / "train", per_class=args.per_class)
    fv, yv, _ = list_split(valid_dir, vocab, per_class=vpc)
    tfm, rng = item_tfm(args.item_tfm, args.size, args.resize_method), random.Random(args.seed)
    train = lambda: tfm_split(ft, tfm, True, rng)  # noqa: E731
    train.fix = lambda: tfm_split(ft, tfm, False, rng)  # precompute's un-augmented pass
    return train, yt, tfm_split(fv, tfm, False, rng), yv, vocab


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared/datasets/sign_language_digits"))
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--bs", type=int, default=64)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--freeze-epochs", type=int, default=1)
    ap.add_argument("--base-lr", type=float, default=2e-3)
    ap.add_argument("--lr-find", action="store_true", help="lr_find() first, then fine_tune with its valley as base_lr")
    ap.add_argument("--item-tfm", choices=["resize", "random-resized-crop"], default="resize")
    ap.add_argument("--resize-method", choices=["crop", "squish", "pad"], default="crop",
                    help="Resize(size, method); squish reproduces the old parity runs")
    ap.add_argument("--scratch", action="store_true", help="random init, fit_one_cycle(freeze_epochs+epochs, --lr)")
    ap.add_argument("--lr", type=float, default=1e-3, help="lr_max for --scratch (fastai's defaults.lr)")
    ap.add_argument("--no-aug", action="store_true")
    ap.add_argument("--precompute", action="store_true", help="lr_find and the frozen epoch on cached body features (fastai v0.7)")
    ap.add_argument("--lr-find-precompute", action="store_true", help="only lr_find on cached body features; fine_tune exact")
    ap.add_argument("--bn-momentum", type=float, default=0.1, help="PyTorch/fastai convention (Keras' 0.99 == 0.01 here)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--per-class", type=int, help="first N training images per class (and valid, unless --valid-per-class)")
    ap.add_argument("--valid-per-class", type=int, help="first N validation images per class")
    ap.add_argument("--out", help="also write the JSON report here")
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    t_start = time.time()
    xt, yt, xv, yv, vocab = load_data(args)
    t_data = time.time()

    model = build_model(len(vocab), not args.scratch, args.bn_momentum)
    learn = Learner(model, xt, yt, xv, yv, args.bs, aug=not args.no_aug)
    t_model = time.time()
    found = None
    if args.scratch:
        learn.fit_one_cycle(args.freeze_epochs + args.epochs, args.lr, phase="scratch")
        recipe = f"fit_one_cycle({args.freeze_epochs + args.epochs}, {args.lr}) from random init"
    else:
        learn.freeze()  # vision_learner freezes a pretrained body before the user's lr_find
        # --precompute: lr_find and the frozen epoch train the head on cached body features.
        frozen = precomputed_head(learn) if args.precompute else learn
        if args.lr_find:
            found = lr_find(precomputed_head(learn) if args.lr_find_precompute and not args.precompute else frozen)
            found["seconds"] = round(time.time() - t_model, 2)
            args.base_lr = found["valley"]
            print(f"lr_find: {found['iterations']} iterations, valley {args.base_lr:.3g}, {found['seconds']}s", file=sys.stderr, flush=True)
        if args.precompute:
            frozen.freeze()
            frozen.fit_one_cycle(args.freeze_epochs, slice(args.base_lr), pct_start=0.99, phase="frozen")
            learn.log += frozen.log
            learn.phase_seconds.update(frozen.phase_seconds)
            learn.fine_tune(args.epochs, base_lr=args.base_lr, freeze_epochs=0)
        else:
            learn.fine_tune(args.epochs, base_lr=args.base_lr, freeze_epochs=args.freeze_epochs)
        recipe = ("lr_find() then " if args.lr_find else "") + f"fine_tune({args.epochs}, base_lr={args.base_lr:.4g}, freeze_epochs={args.freeze_epochs})" + (" with precompute" if args.precompute else "")
    t_end = time.time()

    tfm = f"RandomResizedCrop({args.size})" if args.item_tfm == "random-resized-crop" else f"Resize({args.size}, method='{args.resize_method}')"
    seconds = dict(data=round(t_data - t_start, 2), model=round(t_model - t_data, 2), fit=round(t_end - t_model, 2), total=round(t_end - t_start, 2),
                   cpu_total=round(time.process_time(), 2), **({"lr_find": found["seconds"]} if found else {}), phases=learn.phase_seconds)
    report = dict(
        referee="pytorch-fastai-recipe",
        recipe=recipe,
        arch="keras-resnet50" + ("-scratch" if args.scratch else "-imagenet"),
        settings=dict(
            data=args.data, n_train=len(yt), n_valid=len(yv), vocab=vocab, size=args.size, bs=args.bs,
            item_tfms=tfm + " (PIL bilinear, EXIF orientation applied)",
            batch_tfms="none" if args.no_aug else "aug_transforms() defaults",
            normalize="keras caffe (BGR*255 - mean)", opt="fastai Adam mom .9 sqr_mom .99 eps 1e-5 wd .01 (true wd, no wd on bn/bias)",
            moms=learn.moms, bn_momentum=args.bn_momentum, train_bn=True, precompute=args.precompute, lr_find_precompute=args.lr_find_precompute, seed=args.seed, threads=args.threads,
            iters_per_epoch=len(yt) // args.bs, torch=torch.__version__, load_average=os.getloadavg(),
        ),
        lr_find=found and {k: found[k] for k in ("valley", "valley_index", "iterations", "seconds", "lrs", "losses")},
        epochs=learn.log,
        final_accuracy=learn.log[-1]["accuracy"],
        final_valid_loss=learn.log[-1]["valid_loss"],
        seconds=seconds,
        lr_first_last=[learn.lr_log[0], learn.lr_log[-1]],
    )
    text = json.dumps(report, indent=1)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    return report


if __name__ == "__main__":
    main()
