"""Self-test of the referee's fastai math (no pytest needed):

    /usr/bin/python3 scripts/torch/test_recipe_math.py

Expected values are closed forms of fastai's formulas (cosine at 0, pi/3, pi/2, pi), not re-runs of
the code under test, so a wrong schedule, slice rule or optimizer step fails here.
"""
import math
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fastai_item_tfms as ft  # noqa: E402
import fastai_lr_find as lf  # noqa: E402
import fastai_recipe as fr  # noqa: E402

failures = []


def close(name, got, want, rel=1e-9):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    ok = got.shape == want.shape and np.allclose(got, want, rtol=rel, atol=0)
    print(("ok   " if ok else "FAIL ") + f"{name}: got {got.tolist()} want {want.tolist()}")
    if not ok:
        failures.append(name)


# fit_one_cycle(lr_max=1e-2): div 25, pct_start .25, div_final 1e5, moms (.95, .85, .95)
s = fr.one_cycle_scheds(np.array([1e-2]))
close("one_cycle lr pos 0", s["lr"](0.0), [4e-4])
close("one_cycle lr pos .125 (warm-up half way)", s["lr"](0.125), [4e-4 + (1e-2 - 4e-4) / 2])
close("one_cycle lr pos .25 (peak)", s["lr"](0.25), [1e-2])
close("one_cycle lr pos .5 (anneal 1/3: cos(pi*2/3) = -1/2)", s["lr"](0.5), [1e-2 + 0.25 * (1e-7 - 1e-2)])
close("one_cycle lr pos 1 (lr_max/div_final)", s["lr"](1.0), [1e-7])
close("one_cycle mom pos 0", s["mom"](0.0), 0.95)
close("one_cycle mom pos .125", s["mom"](0.125), 0.90)
close("one_cycle mom pos .25", s["mom"](0.25), 0.85)
close("one_cycle mom pos .5", s["mom"](0.5), 0.85 + 0.25 * 0.10)
close("one_cycle mom pos 1", s["mom"](1.0), 0.95)
# iteration i of n_epoch * n_iter uses pos = i / total: 100 iterations, iteration 25 is the peak
close("one_cycle lr iteration 25 of 100", s["lr"](25 / 100), [1e-2])

# slice semantics (Optimizer.set_hyper) and even_mults, three layer groups
close("even_mults(1e-5, 1e-3, 3)", fr.even_mults(1e-5, 1e-3, 3), [1e-5, 1e-4, 1e-3])
close("even_mults(1, 16, 5)", fr.even_mults(1.0, 16.0, 5), [1, 2, 4, 8, 16])
close("slice(2e-3) over 3 groups", fr.lr_per_group(slice(2e-3), 3), [2e-4, 2e-4, 2e-3])
close("slice(1e-5, 1e-3) over 3 groups", fr.lr_per_group(slice(1e-5, 1e-3), 3), [1e-5, 1e-4, 1e-3])
close("scalar lr over 3 groups", fr.lr_per_group(3e-3, 3), [3e-3] * 3)

# fine_tune(base_lr=2e-3): frozen phase = fit_one_cycle(slice(2e-3), pct_start=.99), div 25
f = fr.one_cycle_scheds(fr.lr_per_group(slice(2e-3), 3), pct_start=0.99)
close("fine_tune frozen lr start", f["lr"](0.0), [8e-6, 8e-6, 8e-5])
close("fine_tune frozen lr peak at .99", f["lr"](0.99), [2e-4, 2e-4, 2e-3])
close("fine_tune frozen lr end", f["lr"](1.0), [2e-9, 2e-9, 2e-8])
# unfrozen phase = fit_one_cycle(slice(1e-3/100, 1e-3), pct_start=.3, div=5)
u = fr.one_cycle_scheds(fr.lr_per_group(slice(1e-3 / 100, 1e-3), 3), div=5.0, pct_start=0.3)
close("fine_tune unfrozen lr start", u["lr"](0.0), [2e-6, 2e-5, 2e-4])
close("fine_tune unfrozen lr peak at .3", u["lr"](0.3), [1e-5, 1e-4, 1e-3])
close("fine_tune unfrozen lr half way up (.15)", u["lr"](0.15), [6e-6, 6e-5, 6e-4])
close("fine_tune unfrozen lr end", u["lr"](1.0), [1e-10, 1e-9, 1e-8])

# fastai Adam at constant mom == torch.optim.AdamW(betas=(mom, sqr_mom), eps, weight_decay=wd)
torch.manual_seed(0)
p1 = torch.nn.Parameter(torch.randn(7, dtype=torch.float64))
p2 = torch.nn.Parameter(p1.detach().clone())
opt1 = fr.FastaiAdam([[p1]], lr=1e-2, mom=0.9, sqr_mom=0.99, eps=1e-5, wd=0.01)
opt2 = torch.optim.AdamW([p2], lr=1e-2, betas=(0.9, 0.99), eps=1e-5, weight_decay=0.01)
for _ in range(5):
    g = torch.randn(7, dtype=torch.float64)
    p1.grad, p2.grad = g.clone(), g.clone()
    opt1.step()
    opt2.step()
close("fastai Adam == AdamW after 5 steps", p1.detach().numpy(), p2.detach().numpy(), rel=1e-12)

# one step by hand: p=1, grad=.5, lr=.1, wd=.01 -> p*(1-1e-3) - (.1/.1) * .05 / (sqrt(.0025/.01) + 1e-5)
p = torch.nn.Parameter(torch.tensor([1.0], dtype=torch.float64))
q = torch.nn.Parameter(torch.tensor([1.0], dtype=torch.float64))
opt = fr.FastaiAdam([[p, q]], lr=0.1, wd=0.01)
opt.state[q]["do_wd"] = False  # what wd_bn_bias=False does to BN and bias parameters
p.grad = torch.tensor([0.5], dtype=torch.float64)
q.grad = torch.tensor([0.5], dtype=torch.float64)
opt.step()
close("Adam step by hand (with wd)", p.item(), 0.999 - 0.05 / (0.5 + 1e-5))
close("Adam step by hand (do_wd=False)", q.item(), 1.0 - 0.05 / (0.5 + 1e-5))

# freeze with train_bn: frozen groups keep only force_train params trainable; clear_state resets moments
a, b, c = (torch.nn.Parameter(torch.zeros(1)) for _ in range(3))
opt = fr.FastaiAdam([[a, b], [c]])
opt.state[b]["force_train"] = True
opt.state[a]["grad_avg"] = torch.ones(1)
opt.freeze_to(-1)
close("freeze: conv weight frozen, BN trainable, head trainable", [a.requires_grad, b.requires_grad, c.requires_grad], [0, 1, 1])
opt.clear_state()
close("clear_state keeps force_train, drops moments", ["grad_avg" in opt.state[a], opt.state[b].get("force_train", False)], [0, 1])
opt.freeze_to(0)
close("unfreeze: everything trainable", [a.requires_grad, b.requires_grad, c.requires_grad], [1, 1, 1])

# the fastai head: [4096 -> 512 -> 10], BN biases 1e-3, no Linear bias, dropouts .25 / .5
head = fr.create_head(2048, 10)
lin = [m for m in head if isinstance(m, torch.nn.Linear)]
bns = [m for m in head if isinstance(m, torch.nn.BatchNorm1d)]
drops = [m.p for m in head if isinstance(m, torch.nn.Dropout)]
close("head shapes", [lin[0].in_features, lin[0].out_features, lin[1].out_features], [4096, 512, 10])
close("head dropouts", drops, [0.25, 0.5])
close("head BN bias init (float32)", [float(bns[0].bias[0]), float(bns[1].bias[0])], [1e-3, 1e-3], rel=1e-6)
close("head linears have no bias", [lin[0].bias is None, lin[1].bias is None], [1, 1])

# aug_transforms with p_affine = p_lighting = 0 leaves each image as is or mirrored (Flip p=.5)
torch.manual_seed(1)
x = torch.rand(6, 3, 16, 16)
y = fr.aug_transforms_batch(x, p_affine=0.0, p_lighting=0.0)
same = [min(float((y[i] - x[i]).abs().max()), float((y[i] - x[i].flip(-1)).abs().max())) < 1e-4 for i in range(6)]
close("aug with p=0 is identity or flip", same, [1] * 6)

# lr_find's stop rule: best is updated first, then stop once the smoothed loss is above 4x the best
best, stops = float("inf"), []
for i, sl in enumerate([1.0, 0.5, 1.9, 2.0, 2.1], 1):
    best, stop = lf.lr_find_stop(sl, best, i, 100)
    stops.append(stop)
close("lr_find stops at 4x the best smoothed loss (2.0 is not above 4 * .5)", stops, [0, 0, 0, 0, 1])
close("lr_find stops after num_it iterations", lf.lr_find_stop(1.0, 1.0, 100, 100)[1], 1)
close("lr_find stop_div=False ignores divergence", lf.lr_find_stop(9.0, 1.0, 5, 100, stop_div=False)[1], 0)
close("lr_find exponential schedule at pos .5", lf.sched_exp(1e-7, 10, 0.5), math.sqrt(1e-7 * 10))

# valley on a synthetic curve: down for 15 points, then up. fastai's max_start = max_end - lds = -1,
# sections = 15 / 3 = 5, idx = -1 + 5 + int(2.5) = 6
lrs = [10 ** (-7 + i / 4) for i in range(20)]
losses = [3.0 - 0.1 * i for i in range(15)] + [1.6 + 0.5 * i for i in range(5)]
close("valley index on a down-then-up curve", lf.valley(lrs, losses)[1], 6)
close("valley lr", lf.valley(lrs, losses)[0], lrs[6])
# a bump: the longest decreasing subsequence skips 4.5 (5 4 3 2 1 .5: max_start 0, max_end 6, idx 0+2+1)
close("valley skips a bump", lf.valley(list(range(8)), [5, 4, 3, 4.5, 2, 1, 0.5, 3])[1], 3)
# suggest() drops the first num_it // 10 and the last 5 points before valley
curve = [3.0 - 0.01 * i for i in range(60)] + [2.5 + 0.1 * i for i in range(40)]
got, _ = lf.suggest(np.arange(100.0), np.array(curve), 100)  # valley over [10:95]: down 10..59 -> 50 long
close("suggest skips num_it // 10 and the last 5", got, 10 - 1 + int(50 / 3) + int(50 / 3 / 2))

# lr_find on a tiny learner: the lr schedule is fastai's, it stops early on divergence, and weights and
# optimizer state come back unchanged
torch.manual_seed(0)
body = torch.nn.Sequential(*[torch.nn.Identity() for _ in range(5)], torch.nn.Linear(4, 4))
tiny = torch.nn.Sequential(body, torch.nn.Linear(4, 3))
xs, ys = torch.randn(32, 4), torch.randint(0, 3, (32,))
learn = fr.Learner(tiny, xs, ys, xs, ys, bs=8, aug=False, pre=torch.nn.Identity())
before = {k: v.clone() for k, v in tiny.state_dict().items()}
found = lf.lr_find(learn)
close("lr_find lr at iteration 0 and 50", [found["lrs"][0], found["lrs"][50]], [1e-7, 1e-7 * 1e8**0.5])
close("lr_find stopped early (lr reaches 10 at 100)", found["iterations"] < 100, 1)
close("lr_find records one lr and loss per iteration", [len(found["lrs"]), len(found["losses"])], [found["iterations"]] * 2)
close("lr_find restores the weights", all(torch.equal(v, tiny.state_dict()[k]) for k, v in before.items()), 1)
close("lr_find restores optimizer state", all("grad_avg" not in st for st in learn.opt.state.values()), 1)

# item transforms: a 40x20 image whose pixel value is its column index
im = ft.Image.fromarray(np.tile(np.arange(40, dtype=np.uint8), (20, 1))[..., None].repeat(3, 2))
cols = lambda out: np.asarray(out)[0, :, 0].tolist()  # noqa: E731
close("Resize crop valid: centre crop", cols(ft.resize(im, 20, "crop", train=False)), list(range(10, 30)))
rng = __import__("random").Random(3)
left = int(__import__("random").Random(3).random() * 20)
close("Resize crop train: random left edge", cols(ft.resize(im, 20, "crop", train=True, rng=rng)), list(range(left, left + 20)))
sqd = cols(ft.resize(im, 20, "squish"))
close("Resize squish keeps the whole width", [*ft.resize(im, 20, "squish").size, sqd[0] <= 1, sqd[-1] >= 38], [20, 20, 1, 1])
tall = ft.Image.fromarray(np.tile(np.arange(20, dtype=np.uint8)[:, None], (1, 40))[..., None].repeat(3, 2))  # value = row
rows = np.asarray(ft.resize(tall, 40, "pad", train=False))[:, 0, 0].tolist()
close("Resize pad: reflection above and below", rows, list(range(10, 0, -1)) + list(range(20)) + list(range(18, 8, -1)))
sq = ft.Image.fromarray(np.tile(np.arange(24, dtype=np.uint8), (24, 1))[..., None].repeat(3, 2))
close("RandomResizedCrop valid: size+8 squish, centre crop", cols(ft.random_resized_crop(sq, 16, train=False)), list(range(4, 20)))
close("RandomResizedCrop train: size", ft.random_resized_crop(im, 16, train=True, rng=rng).size, (16, 16))

print(f"{len(failures)} failure(s)" if failures else "all recipe math checks passed")
sys.exit(1 if failures else 0)
