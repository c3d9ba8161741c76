"""fastai's lr_find (callback/schedule.py, 2.7): LRFinder + Recorder's smoothed loss + the `valley`
suggestion. The learner's weights, BN statistics and optimizer state are restored afterwards (fastai
saves '_tmp' in before_fit and loads it with_opt in after_fit)."""
import copy
import sys

import numpy as np
import torch


def sched_exp(start, end, pos):
    return start * (end / start) ** pos


def lr_find_stop(smooth_loss, best_loss, train_iter, num_it, stop_div=True):
    """LRFinder.after_batch: (new best, stop?). best is updated before the 4x test, as in fastai."""
    best = min(best_loss, smooth_loss)
    return best, bool((stop_div and smooth_loss > 4 * best) or train_iter >= num_it)


def valley(lrs, losses):
    """fastai's valley: the longest run of decreasing loss (longest decreasing subsequence, O(n^2)),
    the suggestion 1/3 + 1/6 = half way into it. Returns (lr, index)."""
    n = len(losses)
    if n == 0:
        raise ValueError("valley: no losses left after dropping the first num_it//10 and last 5 points")
    max_start, max_end = 0, 0
    lds = [1] * n
    for i in range(1, n):
        for j in range(0, i):
            if losses[i] < losses[j] and lds[i] < lds[j] + 1:
                lds[i] = lds[j] + 1
            if lds[max_end] < lds[i]:  # inside the j loop, as in fastai
                max_end = i
                max_start = max_end - lds[max_end]
    sections = (max_end - max_start) / 3
    idx = max_start + int(sections) + int(sections / 2)
    return float(lrs[idx]), idx


def suggest(lrs, losses, num_it):
    """Learner.lr_find's suggestion: skip the first num_it//10 and the last 5 points, cut at the first NaN."""
    lrs, losses = list(lrs[num_it // 10:-5]), list(losses[num_it // 10:-5])
    nan = [i for i, v in enumerate(losses) if v != v]
    if nan:
        lrs, losses = lrs[:nan[0]], losses[:nan[0]]
    return valley(lrs, losses)


def lr_find(learn, start_lr=1e-7, end_lr=10.0, num_it=100, stop_div=True, beta=0.98):
    """fit(num_it // n_iter + 1) with lr = start*(end/start)^(train_iter/num_it) on every group, no
    validation; stops after num_it batches or when the debiased EMA of the loss passes 4x its best."""
    num_it = max(num_it, 6)
    opt_state = {p: copy.deepcopy(s) for p, s in learn.opt.state.items()}  # keys are the live parameters
    saved = copy.deepcopy(learn.model.state_dict()), opt_state, copy.deepcopy(learn.opt.hypers)
    n_iter = len(learn.yt) // learn.bs  # drop_last
    lrs, losses, raw = [], [], []
    smooth, best, it, stop = 0.0, float("inf"), 0, False
    for _ in range(num_it // n_iter + 1):
        learn.model.train()
        xt = learn.train_x()
        perm = torch.randperm(len(xt)) if learn.shuffle else torch.arange(len(xt))
        for b in range(n_iter):
            learn.opt.set_hyper("lr", sched_exp(start_lr, end_lr, it / num_it))
            lv = learn.train_batch(xt, perm[b * learn.bs:(b + 1) * learn.bs])
            it += 1
            smooth = beta * smooth + (1 - beta) * lv  # AvgSmoothLoss: torch.lerp(loss, val, beta)
            lrs.append(learn.opt.hypers[-1]["lr"])
            losses.append(smooth / (1 - beta**it))
            raw.append(lv)
            best, stop = lr_find_stop(losses[-1], best, it, num_it, stop_div)
            if it % 10 == 0:  # progress on stderr, as fit_one_cycle's
                print(f"lr_find iter {it}/{num_it} lr {lrs[-1]:.2e} smooth loss {losses[-1]:.4f}", file=sys.stderr, flush=True)
            if stop:
                break
        if stop:
            break
    learn.opt.zero_grad()
    learn.model.load_state_dict(saved[0])
    learn.opt.state, learn.opt.hypers = saved[1], saved[2]
    lr, idx = suggest(np.array(lrs), np.array(losses), num_it)
    return dict(valley=lr, valley_index=idx + num_it // 10, iterations=it, lrs=lrs, losses=losses, raw_losses=raw)
