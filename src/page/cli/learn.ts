// The Learner's CLI-bridge commands (spread into src/page/cli/bridge.ts): they call the store's
// Train actions, as the UI does. Flags arrive as strings from `npm run cli`.
import type { CliArgs } from './bridge';
import { useStudio } from '../store/studio';
import { formatLr, parseLr } from '../../shared/schedule';
import type {
  FitArgs,
  FitPolicy,
  FitResult,
  LearnSetupArgs,
  ResizeChoice,
} from '../../shared/protocol';
import { holdExport } from './export';
import { cliPhase } from './progress';
import { defaultRecipe, noWebGPU, pretrainedDefault } from '../../shared/recipe';
import { fitFlags, flag, momFlag, num, optFlag, suggestFlag } from './fitFlags';
import { trainPlan } from './trainPlan';
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
  //  [--label-smoothing] [--opt adam|sgd] [--mom 0.9]
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
      opt: optFlag(a.opt),
      mom: momFlag(a.mom),
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
  // `fit --epochs 2 [--policy one_cycle|fit|sgdr|fine_tune] [--lr 3e-2 | --lr "slice(1e-5,1e-3)"]
  //  [--cycle-len L --cycle-mult M] (sgdr: --epochs is n_cycles) [--opt adam|sgd] [--mom 0.9]
  //  [--wd 0.01] [--moms 0.95,0.85,0.95] [--mixup [alpha]] [--save-best] [--size N]
  //  [--precompute] (frozen phase on cached body features) [--snapshots [0,2,..]] (snapshot
  //  ensemble: each SGDR cycle's end, or those epochs)`. An absent flag is the Train
  //  panel's default (the store's FIT_DEFAULTS), not the previous fit's.
  async fit(a) {
    const args: FitArgs = {
      ...fitFlags(a),
      policy: a.policy as FitPolicy | undefined,
      epochs: Number(a.epochs ?? 1),
      lr: lrArg(a.lr),
      size: num(a.size),
    };
    return orThrow(await useStudio.getState().fit(args));
  },
  // `lr-find [--num-it 100] [--start-lr 1e-7] [--end-lr 10] [--suggest valley,slide,minimum,steep]
  //  [--precompute]`
  async 'lr-find'(a) {
    return orThrow(
      await useStudio.getState().lrFind({
        numIt: num(a['num-it'] ?? a.numIt),
        startLr: num(a['start-lr']),
        endLr: num(a['end-lr']),
        suggest: suggestFlag(a.suggest),
        precompute: flag(a.precompute),
      }),
    );
  },
  // `train <dir> [--arch tiny-bn-cnn|resnet18|resnet50-imagenet|...] [--size N | --sizes 64,128]
  //  [--bs N] [--aug side-on|none] [--lr-find] [--suggest valley,steep]
  //  [--fine-tune E | --one-cycle E | --sgdr N [--cycle-len L] [--cycle-mult M] | --fit E] [--lr X]
  //  [--opt adam|sgd] [--mom M] [--wd W] [--moms a,b,c] [--label-smoothing] [--mixup [alpha]]
  //  [--save-best] [--tta] [--snapshots [0,2,..]] [--stock-kernels] [--pretrained [false] | --scratch] [--body current]
  //  [--precompute] [--resize squish|crop|pad|random-resized-crop] [--min-scale 0.08]`: the
  //  folder through the Data panel's import (its labels and split), then the Learner.
  //  Without --arch: fastai's lesson 1 (src/shared/recipe.ts).
  async train(a) {
    // Every flag is checked before the import and the GPU start.
    const asked = resizeArg(a.resize);
    const flags = fitFlags(a);
    const suggest = suggestFlag(a.suggest);
    const givenLr = lrArg(a.lr);
    const s = useStudio.getState();
    const summary = await s.runImport();
    if (!summary) throw new Error(useStudio.getState().dataError ?? 'import failed');
    const info = await s.connect();
    if (a['stock-kernels'] !== undefined) await s.useStudioKernels(!a['stock-kernels']);
    const recipe = a.arch === undefined ? defaultRecipe(info?.adapter, noWebGPU(info)) : undefined;
    const { policy, epochs, sizes } = trainPlan(a, recipe);
    const arch = String(a.arch ?? recipe!.arch);
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
            size: sizes[0],
            bs,
            aug: a.aug,
            seed: num(a.seed),
            pretrained: pretrainedDefault(arch, flag(a.pretrained), Boolean(flag(a.scratch))),
            body: a.body,
            resize,
            minScale,
            labelSmoothing: flag(a['label-smoothing']),
            // lr_find runs with the fit's optimizer.
            opt: flags.opt,
            mom: flags.mom,
          }),
        ),
      ),
    );
    // lr_find by default only in the recipe, and never when an LR is given.
    const wantLrFind = flag(a['lr-find']) ?? (recipe?.lrFind === true && a.lr === undefined);
    // The recipe precomputes body features on a software adapter: lr_find sweeps the head on
    // them, and fine_tune's frozen epoch reuses them.
    const precompute = flags.precompute ?? recipe?.precompute;
    cliPhase.name = 'lr_find';
    const lrFind = wantLrFind
      ? orThrow(
          await useStudio
            .getState()
            .lrFind({ numIt: num(a['num-it']), suggest, precompute: !!precompute }),
        )
      : undefined;
    const lr = givenLr ?? lrFind?.suggestion;
    cliPhase.name = policy;
    const fits: FitResult[] = [];
    for (const size of sizes) {
      const args = JSON.parse(JSON.stringify({ ...flags, precompute, policy, epochs, lr, size }));
      const r = orThrow(await useStudio.getState().fit(args));
      fits.push(r);
      if (r.stopped || r.diverged) break;
    }
    const result = fits[fits.length - 1];
    cliPhase.name = 'tta';
    const tta = flag(a.tta) ? await useStudio.getState().runTta() : undefined;
    if (flag(a.tta) && !tta) throw new Error(useStudio.getState().ttaError ?? 'tta failed');
    // --snapshots: the ensemble's metrics next to the final weights' (as interpret --ensemble).
    const ensemble = result.snapshots?.length
      ? await useStudio.getState().runEnsemble()
      : undefined;
    if (result.snapshots?.length && !ensemble)
      throw new Error(useStudio.getState().ensembleError ?? 'ensemble failed');
    const nTrain = Object.values(summary.counts.train).reduce((x: number, y) => x + Number(y), 0);
    const lrText = lr === undefined ? '' : `, ${formatLr(lr, (v) => v.toPrecision(3))}`;
    const cycles =
      policy === 'sgdr' ? `, ${flags.cycleLen ?? 1}, cycle_mult=${flags.cycleMult ?? 2}` : '';
    const rows = (r: (typeof fits)[number]) =>
      r.rows.map((row) => ({
        ...row,
        imagesPerSecond: (Math.floor(nTrain / bs) * bs) / row.seconds,
      }));
    const nRows = fits.reduce((n, f) => n + f.rows.length, 0);
    return {
      adapter: info?.adapter,
      recipe:
        `vision_learner(${setup.arch}, pretrained=${setup.pretrained ? 'True' : 'False'})` +
        (lrFind ? `, lr_find() (${(suggest ?? ['valley'])[0]})` : '') +
        `, ${policy}(${epochs}${cycles}${lrText})` +
        (sizes.length > 1 ? ` at sizes ${sizes.join(', ')}` : '') +
        (recipe ? " — fastai's lesson-1 defaults" : ''),
      // Only when the machine chose size or bs.
      recipeNote: a.size === undefined || a.bs === undefined ? recipe?.note : undefined,
      arch: setup.arch,
      pretrained: setup.pretrained,
      frozenGroups: setup.frozenGroups,
      mixedPrecision: setup.mixedPrecision,
      mixedPrecisionReason: setup.mixedPrecisionReason,
      size: result.size,
      bs,
      // The item transform and the decoded pixels it read: 224 px training on 224+ px photos.
      resize,
      minScale,
      source: setup.source,
      precompute: !!precompute,
      classes: setup.vocab,
      lrFind: lrFind && {
        mode: lrFind.mode,
        iterations: lrFind.lrs.length,
        suggestion: lrFind.suggestion,
        suggestions: lrFind.suggestions,
        lrs: lrFind.lrs,
        losses: lrFind.losses,
      },
      // Every fit's rows (--sizes: one fit per size, in turn).
      epochs: fits.flatMap(rows),
      // saveBest: the row of `epochs` whose weights the model holds (and exports).
      kept: result.kept === undefined ? undefined : nRows - result.rows.length + result.kept,
      fits:
        sizes.length > 1 ? fits.map((f) => ({ size: f.size, epochs: f.rows.length })) : undefined,
      tta,
      ensemble,
      stopped: result.stopped,
      diverged: result.diverged,
      seconds: fits.reduce((t, f) => t + f.seconds, 0),
      // `--export DIR`: every format, held in the page for the CLI to pull (scripts/cliExport.ts).
      exported: a.export !== undefined ? await holdExport('all') : undefined,
    };
  },
};
