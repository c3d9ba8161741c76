"""fastai's item transforms on a PIL image (vision/augment.py, 2.7): Resize(size, method) and
RandomResizedCrop(size). Training draws come from the `rng` passed in (a seeded random.Random, as
fastai draws with python's random); validation is deterministic (split_idx=1).

    Resize crop:    train a random crop of the largest box with the target aspect, valid the centre one
    Resize squish:  the whole image resized (no draw)
    Resize pad:     the smallest box with the target aspect that holds the image, reflection padding
    RandomResizedCrop: train a crop of area U(min_scale, 1) and ratio exp U(log 3/4, log 4/3) (10 tries,
                    then the centre crop clamped to the ratio); valid squishes to size + val_xtra and
                    centre-crops to size
"""
import math

import numpy as np
import torch
from PIL import Image, ImageOps


def open_image(path):
    """PIL decode with the EXIF orientation applied (as the browser does), RGB."""
    return ImageOps.exif_transpose(Image.open(path)).convert("RGB")


def crop_pad(im, sz, tl, resize_to=None, pad_mode="reflect"):
    """Image.crop_pad: crop the part of box (tl, sz) inside the image, pad what falls outside, resize."""
    w, h = im.size
    (cw, ch), (l, t) = sz, tl
    if l >= 0 or t >= 0 or l + cw <= w or t + ch <= h:
        im = im.crop((max(l, 0), max(t, 0), min(l + cw, w), min(t + ch, h)))
    if l < 0 or t < 0 or l + cw >= w or t + ch >= h:
        pl, pt = max(-l, 0), max(-t, 0)
        pr, pb = max(cw - w + l, 0), max(ch - h + t, 0)
        if pl or pt or pr or pb:  # torchvision pad 'reflect' == numpy 'reflect' (edge not repeated)
            a = np.pad(np.asarray(im), ((pt, pb), (pl, pr), (0, 0)), mode=pad_mode)
            im = Image.fromarray(a)
    if resize_to is not None:
        im = im.resize(resize_to, Image.BILINEAR)
    return im


def resize(im, size, method="crop", train=True, rng=None):
    """Resize(size, method): size is square here (size, size)."""
    if method == "squish":
        return im.resize((size, size), Image.BILINEAR)
    if method not in ("crop", "pad"):
        raise ValueError(f"resize method {method!r}: expected crop, squish or pad")
    w, h = im.size
    pcts = (rng.random(), rng.random()) if train else (0.5, 0.5)
    # crop keeps the smaller scale factor (box inside the image), pad the larger one (image inside the box)
    m = min(w / size, h / size) if method == "crop" else max(w / size, h / size)
    cp = (int(m * size), int(m * size))
    tl = (int(pcts[0] * (w - cp[0])), int(pcts[1] * (h - cp[1])))
    return crop_pad(im, cp, tl, resize_to=(size, size))


def random_resized_crop(im, size, train=True, rng=None, min_scale=0.08, ratio=(3 / 4, 4 / 3), val_xtra=0.14):
    w, h = im.size
    if not train:
        xtra = math.ceil(size * val_xtra / 8) * 8
        big = im.resize((size + xtra, size + xtra), Image.BILINEAR)
        return crop_pad(big, (size, size), (xtra // 2, xtra // 2))
    for _ in range(10):
        area = rng.uniform(min_scale, 1.0) * w * h
        r = math.exp(rng.uniform(math.log(ratio[0]), math.log(ratio[1])))
        nw, nh = int(round(math.sqrt(area * r))), int(round(math.sqrt(area / r)))
        if nw <= w and nh <= h:
            return crop_pad(im, (nw, nh), (rng.randint(0, w - nw), rng.randint(0, h - nh)), resize_to=(size, size))
    if w / h < ratio[0]:
        cp = (w, int(w / ratio[0]))
    elif w / h > ratio[1]:
        cp = (int(h * ratio[1]), h)
    else:
        cp = (w, h)
    return crop_pad(im, cp, ((w - cp[0]) // 2, (h - cp[1]) // 2), resize_to=(size, size))


def item_tfm(kind, size, method="crop"):
    """The item transform as f(im, train, rng) -> size x size PIL image."""
    if kind == "resize":
        return lambda im, train, rng: resize(im, size, method, train, rng)
    if kind == "random-resized-crop":
        return lambda im, train, rng: random_resized_crop(im, size, train, rng)
    raise ValueError(f"item transform {kind!r}: expected resize or random-resized-crop")


def to_uint8(im):
    """ToTensor: HWC uint8 -> CHW uint8 (IntToFloatTensor runs per batch)."""
    return torch.from_numpy(np.array(im, np.uint8)).permute(2, 0, 1).contiguous()
