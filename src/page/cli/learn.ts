// The Learner's CLI-bridge commands (spread into src/page/cli/bridge.ts): they call the store's
// Train actions, as the UI does. Flags arrive as strings from `npm run cli`.
import type { FitArgs, FitPolicy, LearnSetupArgs } from '../../shared/protocol';
import type { CliArgs } from './bridge';
import { useStudio, worker } from '../store/studio';
import { parseLr } from '../../shared/schedule';
import { holdExport } from './export';

/** `--flag` (true), `--flag=false`, or absent (undefined: the default). */
const flag = (v: unknown) => (v === undefined ? undefined : v !== false && v !== 'false');
const num = (v: unknown) => (v === undefined ? undefined : Number(v));
/** `--lr 3e-3` or `--lr "slice(1e-5, 1e-3)"`; anything else is refused before training starts. */
const lrArg = (v: unknown) => {
  if (v === undefined) return undefined;
  const lr = parseLr(String(v));
  if (lr === undefined) throw new Error(`--lr ${v}: give a number or slice(lo, hi)`);
  return lr;
};
const orThrow = <T>(r: T | undefined): T => {
  if (r === undefined)
    throw new Error(useStudio.getState().trainError ?? 'training command failed');
  return r;
};

export const learnCommands: Record<string, (args: CliArgs) => Promise<unknown>> = {
  // `learn-setup [--arch tiny-bn-cnn] [--size 32] [--bs 16] [--n-train 20] [--n-valid 4] [--seed 1]
  //  [--pretrained] [--body current] [--aug side-on|top-down|none] [--data demo|imported]`
  async 'learn-setup'(a) {
    const args: LearnSetupArgs = {
      arch: a.arch as LearnSetupArgs['arch'],
      size: num(a.size),
      bs: num(a.bs),
      nTrain: num(a['n-train'] ?? a.nTrain),
      nValid: num(a['n-valid'] ?? a.nValid),
      seed: num(a.seed),
      labelSmoothing: Boolean(a['label-smoothing']),
      pretrained: flag(a.pretrained),
      body: a.body as LearnSetupArgs['body'],
      aug: a.aug as LearnSetupArgs['aug'],
      data: a.data as LearnSetupArgs['data'],
    };
    // Stock tfjs-webgpu conv/matmul instead of the studio's kernels (as bench-data's flag).
    if (a['stock-kernels'] !== undefined)
      await worker().call('setStudioKernels', { enabled: !a['stock-kernels'] });
    return orThrow(await useStudio.getState().learnSetup(JSON.parse(JSON.stringify(args))));
  },
  // `fit --epochs 2 [--policy one_cycle|fit|sgdr|fine_tune] [--lr 3e-2 | --lr "slice(1e-5,1e-3)"] [--mixup] [--save-best] [--size N]
  //  [--precompute] (frozen phase on cached body features)`
  async fit(a) {
    const args: FitArgs = {
      policy: (a.policy as FitPolicy) ?? 'one_cycle',
      epochs: Number(a.epochs ?? 1),
      lr: lrArg(a.lr),
      cycleLen: num(a['cycle-len']),
      cycleMult: num(a['cycle-mult']),
      mixup: Boolean(a.mixup),
      saveBest: Boolean(a['save-best']),
      size: num(a.size),
      precompute: flag(a.precompute),
    };
    return orThrow(await useStudio.getState().fit(JSON.parse(JSON.stringify(args))));
  },
  // `lr-find [--num-it 100] [--start-lr 1e-7] [--end-lr 10]`
  async 'lr-find'(a) {
    return orThrow(
      await useStudio.getState().lrFind({
        numIt: num(a['num-it'] ?? a.numIt),
        startLr: num(a['start-lr']),
        endLr: num(a['end-lr']),
      }),
    );
  },
  // `train <dir> --arch tiny-bn-cnn|resnet18|... [--size N] [--bs N] [--aug side-on|none] [--lr-find]
  //  [--fine-tune E | --one-cycle E] [--lr X] [--stock-kernels] [--pretrained] [--body current]
  //  [--precompute]`: import (the data helper's), then the Learner.
  async train(a) {
    const s = useStudio.getState();
    const summary = await s.runImport();
    if (!summary) throw new Error(useStudio.getState().dataError ?? 'import failed');
    const info = await s.connect();
    if (a['stock-kernels'] !== undefined)
      await worker().call('setStudioKernels', { enabled: !a['stock-kernels'] });
    const setup = orThrow(
      await s.learnSetup(
        JSON.parse(
          JSON.stringify({
            data: 'imported',
            arch: a.arch ?? 'tiny-bn-cnn',
            size: num(a.size) ?? 64,
            bs: num(a.bs) ?? 16,
            aug: a.aug,
            seed: num(a.seed),
            pretrained: flag(a.pretrained),
            body: a.body,
          }),
        ),
      ),
    );
    const bs = num(a.bs) ?? 16;
    const lrFind = a['lr-find']
      ? orThrow(await useStudio.getState().lrFind({ numIt: num(a['num-it']) }))
      : undefined;
    const lr = lrArg(a.lr) ?? lrFind?.suggestion;
    const fineTune = a['fine-tune'] !== undefined;
    const epochs = Number(a['fine-tune'] ?? a['one-cycle'] ?? 1);
    const result = orThrow(
      await useStudio.getState().fit(
        JSON.parse(
          JSON.stringify({
            policy: fineTune ? 'fine_tune' : 'one_cycle',
            epochs,
            lr,
            precompute: flag(a.precompute),
          }),
        ),
      ),
    );
    const nTrain = Object.values(summary.counts.train).reduce((x: number, y) => x + Number(y), 0);
    return {
      adapter: info?.adapter,
      arch: setup.arch,
      pretrained: setup.pretrained,
      frozenGroups: setup.frozenGroups,
      mixedPrecision: setup.mixedPrecision,
      mixedPrecisionReason: setup.mixedPrecisionReason,
      size: num(a.size) ?? 64,
      bs,
      classes: setup.vocab,
      lrFind: lrFind && { suggestion: lrFind.suggestion, lrs: lrFind.lrs, losses: lrFind.losses },
      epochs: result.rows.map((r) => ({
        ...r,
        imagesPerSecond: (Math.floor(nTrain / bs) * bs) / r.seconds,
      })),
      stopped: result.stopped,
      diverged: result.diverged,
      seconds: result.seconds,
      // `--export DIR`: every format, held in the page for the CLI to pull (src/export/cliCommands.ts).
      exported: a.export !== undefined ? await holdExport('all') : undefined,
    };
  },
};
