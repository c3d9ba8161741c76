import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { reproductionScript } from '../../src/export/reproScript';
import { fitSteps, sessionReproSettings } from '../../src/export/reproSettings';
import { disposeLearner, freezeLearner, setupLearner } from '../../src/learn/session';
import { fit } from '../../src/reliability/recovery';
import { createWorkerState } from '../../src/worker/state';
import type { ReproSettings } from '../../src/shared/protocol';

const base: ReproSettings = {
  arch: 'resnet18',
  pretrained: true,
  groups: 3,
  size: 224,
  batchSize: 64,
  resize: 'squish',
  aug: 'side-on',
  labelling: { kind: 'folder' },
  split: { kind: 'random', validPct: 0.2, seed: 42 },
  exclude: [],
  fits: [{ fit: { method: 'fine_tune', epochs: 3, baseLr: 2e-3, freezeEpochs: 1 } }],
  opt: { kind: 'Adam', mom: 0.9, sqrMom: 0.99, eps: 1e-5, wd: 0.01 },
  moms: [0.95, 0.85, 0.95],
  labelSmoothing: false,
  classes: ['cat', 'dog'],
  images: { train: 80, valid: 20 },
};

const PYTHON = '/usr/bin/python3';

/** Python compiles it (syntax only: fastai is not installed here). */
function assertCompiles(script: string) {
  if (!existsSync(PYTHON)) return;
  const file = join(mkdtempSync(join(tmpdir(), 'repro-')), 'train.py');
  writeFileSync(file, script);
  execFileSync(PYTHON, [
    '-c',
    'import sys; compile(open(sys.argv[1]).read(), "train.py", "exec")',
    file,
  ]);
}

describe('reproduction script', () => {
  it('writes the fastai fine_tune recipe for a folder-labelled dataset', () => {
    const s = reproductionScript(base);
    expect(s).toContain('get_y=parent_label');
    expect(s).toContain('RandomSplitter(valid_pct=0.2, seed=42)');
    expect(s).toContain('item_tfms=Resize(size, method=ResizeMethod.Squish)');
    expect(s).toContain('aug_transforms(do_flip=True, flip_vert=False)');
    expect(s).toContain('ARCH = resnet18');
    expect(s).toContain('OPT = partial(Adam, mom=0.9, sqr_mom=0.99, eps=1e-5)');
    expect(s).toContain(
      'vision_learner(dls, ARCH, pretrained=not args.from_export, loss_func=CrossEntropyLossFlat()',
    );
    expect(s).toContain('    learn.fine_tune(3, base_lr=2e-3, freeze_epochs=1)');
    expect(s).toContain('STUDIO = {"classes":["cat","dog"],"train":80,"valid":20}');
    expect(s).toContain('dls = make_dls(224)');
    assertCompiles(s);
  });

  it('handles regex labels, folder splits, slices, label smoothing, mixup and freeze changes', () => {
    const s = reproductionScript({
      ...base,
      arch: 'resnet50-imagenet',
      labelling: { kind: 'regex', pattern: '^(?<breed>.+)_\\d+\\.jpg$' },
      split: { kind: 'folders', train: 'train', valid: 'val' },
      fits: [
        { fit: { method: 'fit_one_cycle', epochs: 1, lrMax: 1e-3 }, frozenGroups: 2 },
        {
          fit: { method: 'fit_one_cycle', epochs: 5, lrMax: { lo: 1e-5, hi: 1e-3 } },
          frozenGroups: 0,
          mixup: true,
        },
        { fit: { method: 'fit', epochs: 1, lr: 1e-4 }, frozenGroups: 1, size: 320, wd: 0.1 },
      ],
      labelSmoothing: true,
      aug: 'top-down',
      augSettings: { do_flip: true, flip_vert: true, max_rotate: 10, max_zoom: 1.1 },
      exclude: ['train/IMG 1.jpg'],
    });
    expect(s).toContain(`RegexLabeller("^(?P<breed>.+)_\\\\d+\\\\.jpg$")`);
    expect(s).toContain('splitter=folder_splitter(train_name="train", valid_name="val")');
    expect(s).toContain('EXCLUDE = set(["train/IMG 1.jpg"])');
    const fits = s.slice(s.indexOf('else:'));
    expect(fits.split('\n').filter((l) => /^ {4}learn\./.test(l))).toEqual([
      '    learn.fit_one_cycle(1, lr_max=1e-3, moms=MOMS)',
      '    learn.unfreeze()',
      '    learn.fit_one_cycle(5, lr_max=slice(1e-5, 1e-3), moms=MOMS, cbs=MixUp(0.4))',
      '    learn.dls = make_dls(320)',
      '    learn.wd = 0.1',
      '    learn.freeze_to(1)',
      '    learn.fit(1, lr=1e-4)',
    ]);
    expect(s).toContain('LabelSmoothingCrossEntropy(eps=0.1)');
    expect(s).toContain(
      'aug_transforms(do_flip=True, flip_vert=True, max_rotate=10, max_zoom=1.1)',
    );
    expect(s).toContain('ARCH = resnet50');
    assertCompiles(s);
  });

  it('writes SGD with momentum, a constant-LR fit, MixUp(alpha) and SaveModelCallback', () => {
    const s = reproductionScript({
      ...base,
      fits: [{ fit: { method: 'fit', epochs: 3, lr: 1e-2 }, mixup: 0.2, saveBest: true }],
      opt: { kind: 'SGD', mom: 0.9, wd: 0.01 },
    });
    expect(s).toContain('OPT = partial(SGD, mom=0.9)');
    expect(s).toMatch(
      /learn\.fit\(3, lr=1e-2.*MixUp\(0\.2\).*SaveModelCallback\(monitor="valid_loss"\)/,
    );
    assertCompiles(s);
  });

  it('uses multi-label blocks, the CSV columns, BCE and accuracy_multi for CSV multi-label data', () => {
    const s = reproductionScript({
      ...base,
      labelling: {
        kind: 'csv',
        csvPath: 'meta/labels.csv',
        fileColumn: 'fname',
        labelColumn: 'tags',
        labelDelim: ' ',
        multiLabel: true,
      },
      split: { kind: 'random', validPct: 0.2, seed: 42, under: 'train' },
      fits: [
        {
          fit: { method: 'fit_sgdr', cycles: 3, cycleLen: 1, cycleMult: 2, lrMax: 1e-3 },
          epochsDone: 4,
        },
      ],
    });
    expect(s).toContain('CSV = path / "meta/labels.csv"');
    expect(s).toContain('MultiCategoryBlock');
    expect(s).toContain('get_y=ColReader(1, label_delim=" ")');
    expect(s).toContain('get_image_files(p/"train")');
    expect(s).toContain('BCEWithLogitsLossFlat()');
    expect(s).toContain('accuracy_multi');
    expect(s).toContain('# (stopped in the studio after 4 of 7 epochs)');
    expect(s).toContain('learn.fit_sgdr(3, 1, cycle_mult=2, lr_max=1e-3)');
    assertCompiles(s);
  });

  it('writes the item transform the studio trained with: RandomResizedCrop or Resize', () => {
    const rrc = reproductionScript({ ...base, resize: 'random_resized_crop', minScale: 0.35 });
    expect(rrc).toContain('item_tfms=RandomResizedCrop(size, min_scale=0.35)');
    const fastaiDefault = reproductionScript({ ...base, resize: 'random_resized_crop' });
    expect(fastaiDefault).toContain('item_tfms=RandomResizedCrop(size, min_scale=0.08)');
    // The studio pads by reflection: fastai's default pad_mode, so none is written.
    const pad = reproductionScript({ ...base, resize: 'pad' });
    expect(pad).toContain('item_tfms=Resize(size, method=ResizeMethod.Pad),');
    assertCompiles(rrc);
  });
});

describe('fitSteps: the session history as fastai calls', () => {
  const rec = (args: object, more: object = {}) => ({
    args: { ...args },
    startIter: 0,
    epochsDone: 0,
    ...more,
  });
  it('keeps each policy (a constant-LR fit stays fit) and resolves the defaults the studio used', () => {
    const steps = fitSteps([
      rec({ policy: 'fine_tune', epochs: 2 }, { epochsDone: 3, frozenGroups: 2, size: 224 }),
      rec({ policy: 'fit', epochs: 1, lr: 3e-4 }, { epochsDone: 1 }),
      rec({ epochs: 2, saveBest: true, precompute: true }, { epochsDone: 1 }),
    ]);
    expect(steps).toEqual([
      {
        fit: { method: 'fine_tune', epochs: 2, baseLr: 2e-3, freezeEpochs: 1 },
        frozenGroups: 2,
        size: 224,
      },
      { fit: { method: 'fit', epochs: 1, lr: 3e-4 } },
      {
        fit: { method: 'fit_one_cycle', epochs: 2, lrMax: 1e-3 },
        saveBest: true,
        precompute: true,
        epochsDone: 1,
      },
    ]);
  });
});

describe('the session records what the script replays', () => {
  it('each fit keeps its starting freeze state and size; the script starts at the first size', async () => {
    await tf.setBackend('cpu');
    const st = createWorkerState();
    await setupLearner(st, { arch: 'tiny-bn-cnn', size: 16, bs: 4, nTrain: 2, nValid: 1, seed: 3 });
    freezeLearner(st, { frozen: true });
    await fit(st, { epochs: 1, lr: 1e-2 }, () => {});
    freezeLearner(st, { frozen: false });
    await fit(st, { policy: 'fit', epochs: 1, lr: 1e-3, size: 24, wd: 0.1 }, () => {});
    const s = sessionReproSettings(st.learner!, undefined);
    expect(s.size).toBe(16);
    expect(s.fits).toEqual([
      { fit: { method: 'fit_one_cycle', epochs: 1, lrMax: 1e-2 }, frozenGroups: 1, size: 16 },
      { fit: { method: 'fit', epochs: 1, lr: 1e-3 }, frozenGroups: 0, size: 24, wd: 0.1 },
    ]);
    const script = reproductionScript(s);
    expect(script).toContain('    learn.unfreeze()\n    learn.fit(1, lr=1e-3)');
    disposeLearner(st);
  }, 60_000);
});
