// The Learner's CLI-bridge commands (spread into src/page/cli/bridge.ts): they call the store's
// Train actions, as the UI does. Flags arrive as strings from `npm run cli`.
import type { CliArgs } from './bridge';
import { useStudio } from '../store/studio';
import { formatLr, parseLr } from '../../shared/schedule';
import type { FitArgs, FitPolicy, LearnSetupArgs, ResizeChoice } from '../../shared/protocol';
import { holdExport } from './export';
import { cliPhase } from './progress';
import { defaultRecipe, pretrainedDefault } from '../../shared/recipe';

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
/** `--resize squish|crop|pad|random-resized-crop` (fastai's Resize methods, or RandomResizedCrop). */
const resizeArg = (v: unknown): ResizeChoice | undefined => {
  if (v === undefined) return undefined;
  const r = String(v).replace(/-/g, '_');
  if (!['squish', 'crop', 'pad', 'random_resized_crop'].includes(r))
    throw new Error(
      `--resize ${v}: give squish, crop or pad (fastai's Resize methods) or random-resized-crop`,
    );
  return r as ResizeChoice;
};
const orThrow = <T>(r: T | undefined): T => {
  if (r === undefined)
    throw new Error(useStudio.getState().trainError ?? 'training command failed');
  return r;
};

export const learnCommands: Record<string, (args: CliArgs) => Promise<unknown>> = {
  // `learn-setup [--arch tiny-bn-cnn] [--size 32] [--bs 16] [--n-train 20] [--n-valid 4] [--seed 1]
  //  [--pretrained] [--body current] [--aug side-on|top-down|none] [--data demo|imported]
  //  [--resize squish|crop|pad|random-resized-crop] [--min-scale 0.08]`
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
      resize: resizeArg(a.resize),
      minScale: num(a['min-scale']),
    };
    // Stock tfjs-webgpu conv/matmul instead of the studio's kernels (as bench-data's flag).
    if (a['stock-kernels'] !== undefined)
      await useStudio.getState().useStudioKernels(!a['stock-kernels']);
    return orThrow(await useStudio.getState().learnSetup(JSON.parse(JSON.stringify(args))));
  },
  // `fit --epochs 2 [--policy one_cycle|fit|sgdr|fine_tune] [--lr 3e-2 | --lr "slice(1e-5,1e-3)"] [--wd 0.01] [--mixup] [--save-best] [--size N]
  //  [--precompute] (frozen phase on cached body features)`. An absent flag is the Train
  //  panel's default (the store's FIT_DEFAULTS), not the previous fit's.
  async fit(a) {
    const args: FitArgs = {
      policy: a.policy as FitPolicy | undefined,
      epochs: Number(a.epochs ?? 1),
      lr: lrArg(a.lr),
      wd: num(a.wd),
      cycleLen: num(a['cycle-len']),
      cycleMult: num(a['cycle-mult']),
      mixup: Boolean(a.mixup),
      saveBest: Boolean(a['save-best']),
      size: num(a.size),
      precompute: flag(a.precompute),
    };
    return orThrow(await useStudio.getState().fit(args));
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
  // `train <dir> [--arch tiny-bn-cnn|resnet18|resnet50-imagenet|...] [--size N] [--bs N]
  //  [--aug side-on|none] [--lr-find] [--fine-tune E | --one-cycle E] [--lr X] [--stock-kernels]
  //  [--pretrained [false] | --scratch] [--body current] [--precompute]
  //  [--resize squish|crop|pad|random-resized-crop] [--min-scale 0.08]`: import (the data
  //  helper's), then the Learner. Without --arch: fastai's lesson 1 (src/shared/recipe.ts).
  async train(a) {
    const asked = resizeArg(a.resize); // refused before the import, not after it
    const s = useStudio.getState();
    const summary = await s.runImport();
    if (!summary) throw new Error(useStudio.getState().dataError ?? 'import failed');
    const info = await s.connect();
    if (a['stock-kernels'] !== undefined) await s.useStudioKernels(!a['stock-kernels']);
    const recipe = a.arch === undefined ? defaultRecipe(info?.adapter) : undefined;
    const arch = String(a.arch ?? recipe!.arch);
    const size = num(a.size) ?? recipe?.size ?? 64;
    const bs = num(a.bs) ?? recipe?.bs ?? 16;
    const resize = asked ?? recipe?.resize ?? 'squish';
    const minScale = resize === 'random_resized_crop' ? (num(a['min-scale']) ?? 0.08) : undefined;
    cliPhase.name = 'setup';
    const setup = orThrow(
      await s.learnSetup(
        JSON.parse(
          JSON.stringify({
            data: 'imported',
            arch,
            size,
            bs,
            aug: a.aug,
            seed: num(a.seed),
            pretrained: pretrainedDefault(arch, flag(a.pretrained), Boolean(flag(a.scratch))),
            body: a.body,
            resize,
            minScale,
          }),
        ),
      ),
    );
    // lr_find by default only in the recipe, and never when an LR is given.
    const wantLrFind = flag(a['lr-find']) ?? (recipe?.lrFind === true && a.lr === undefined);
    cliPhase.name = 'lr_find';
    const lrFind = wantLrFind
      ? orThrow(await useStudio.getState().lrFind({ numIt: num(a['num-it']) }))
      : undefined;
    const lr = lrArg(a.lr) ?? lrFind?.suggestion;
    const fineTune =
      a['fine-tune'] !== undefined || (recipe !== undefined && a['one-cycle'] === undefined);
    const epochs = Number(a['fine-tune'] ?? a['one-cycle'] ?? recipe?.fineTune ?? 1);
    const policy = fineTune ? 'fine_tune' : 'one_cycle';
    cliPhase.name = policy;
    const result = orThrow(
      await useStudio.getState().fit({ policy, epochs, lr, precompute: flag(a.precompute) }),
    );
    const nTrain = Object.values(summary.counts.train).reduce((x: number, y) => x + Number(y), 0);
    const lrText = lr === undefined ? '' : `, ${formatLr(lr, (v) => v.toPrecision(3))}`;
    return {
      adapter: info?.adapter,
      recipe:
        `vision_learner(${setup.arch}, pretrained=${setup.pretrained ? 'True' : 'False'})` +
        (lrFind ? ', lr_find() (valley)' : '') +
        `, ${policy}(${epochs}${lrText})` +
        (recipe ? " — fastai's lesson-1 defaults" : ''),
      // Only when the machine chose size or bs.
      recipeNote: a.size === undefined || a.bs === undefined ? recipe?.note : undefined,
      arch: setup.arch,
      pretrained: setup.pretrained,
      frozenGroups: setup.frozenGroups,
      mixedPrecision: setup.mixedPrecision,
      mixedPrecisionReason: setup.mixedPrecisionReason,
      size,
      bs,
      // The item transform and the decoded pixels it read: 224 px training on 224+ px photos.
      resize,
      minScale,
      source: setup.source,
      classes: setup.vocab,
      lrFind: lrFind && { suggestion: lrFind.suggestion, lrs: lrFind.lrs, losses: lrFind.losses },
      epochs: result.rows.map((r) => ({
        ...r,
        imagesPerSecond: (Math.floor(nTrain / bs) * bs) / r.seconds,
      })),
      stopped: result.stopped,
      diverged: result.diverged,
      seconds: result.seconds,
      // `--export DIR`: every format, held in the page for the CLI to pull (scripts/cliExport.ts).
      exported: a.export !== undefined ? await holdExport('all') : undefined,
    };
  },
};
