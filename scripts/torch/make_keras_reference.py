"""Reference logits of the referee's PyTorch port of the bundled Keras ResNet50 (keras_resnet50.py),
for tests/models/keras-parity.test.ts: the studio's Keras ResNet50 must compute the same function
from the same npm weights, or "same recipe, same weights" would not hold.

    /usr/bin/python3 scripts/torch/make_keras_reference.py OUT.safetensors [--size 64]

Writes `input` (two sign-language photos, RGB in [0,1], NHWC, as the referee loads them) and
`logits` (eval mode, after the referee's caffe preprocessing), so each side applies its own
preprocessing to the same pixels.
"""
import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from keras_resnet50 import ROOT, CaffePreprocess, load_image, load_keras_resnet50  # noqa: E402
from make_reference import write_safetensors  # noqa: E402

IMAGES = ["val/3", "val/7"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--size", type=int, default=64)
    a = ap.parse_args()
    torch.set_num_threads(1)
    data = ROOT.parent / "shared/datasets/sign_language_digits"
    files = [sorted((data / d).iterdir())[0] for d in IMAGES]
    x = torch.stack([load_image(f, a.size) for f in files])
    model = load_keras_resnet50()
    with torch.no_grad():
        logits = model(CaffePreprocess()(x))
    write_safetensors(Path(a.out), {"input": x.permute(0, 2, 3, 1).contiguous().numpy(), "logits": logits.numpy()},
                      {"images": ",".join(f.name for f in files)})


if __name__ == "__main__":
    main()
