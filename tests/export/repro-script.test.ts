import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reproductionScript } from '../../src/export/reproScript';
import type { ReproSettings } from '../../src/shared/protocol';

const base: ReproSettings = {
  arch: 'resnet18',
  pretrained: true,
  size: 224,
  batchSize: 64,
  resize: 'squish',
  aug: 'side-on',
  labelling: { kind: 'folder' },
  split: { kind: 'random', validPct: 0.2, seed: 42 },
  fit: { method: 'fine_tune', epochs: 3, baseLr: 2e-3, freezeEpochs: 1 },
  wd: 0.01,
  labelSmoothing: false,
  mixup: false,
  classes: ['cat', 'dog'],
};

const PYTHON = '/usr/bin/python3';

function assertParses(script: string) {
  if (!existsSync(PYTHON)) return;
  const file = join(mkdtempSync(join(tmpdir(), 'repro-')), 'train.py');
  writeFileSync(file, script);
  execFileSync(PYTHON, ['-c', 'import ast,sys; ast.parse(open(sys.argv[1]).read())', file]);
}

describe('reproduction script', () => {
  it('writes the fastai fine_tune recipe for a folder-labelled dataset', () => {
    const s = reproductionScript(base);
    expect(s).toContain('get_y=parent_label');
    expect(s).toContain('RandomSplitter(valid_pct=0.2, seed=42)');
    expect(s).toContain('item_tfms=Resize(224, method=ResizeMethod.Squish)');
    expect(s).toContain('aug_transforms(do_flip=True, flip_vert=False)');
    expect(s).toContain(
      'vision_learner(dls, resnet18, pretrained=True, loss_func=CrossEntropyLossFlat()',
    );
    expect(s).toContain('learn.fine_tune(3, base_lr=2e-3, freeze_epochs=1)');
    expect(s).toContain('expected_classes = ["cat","dog"]');
    assertParses(s);
  });

  it('handles regex labels, folder splits, slices, label smoothing and mixup', () => {
    const s = reproductionScript({
      ...base,
      arch: 'resnet50-imagenet',
      labelling: { kind: 'regex', pattern: '^(.+)_\\d+\\.jpg$' },
      split: { kind: 'folders', train: 'train', valid: 'val' },
      fit: { method: 'fit_one_cycle', epochs: 5, lrMax: { lo: 1e-5, hi: 1e-3 } },
      labelSmoothing: true,
      mixup: true,
      aug: 'top-down',
    });
    expect(s).toContain(`RegexLabeller("^(.+)_\\\\d+\\\\.jpg$")`);
    expect(s).toContain('GrandparentSplitter(train_name="train", valid_name="val")');
    expect(s).toContain('learn.fit_one_cycle(5, lr_max=slice(1e-5, 1e-3))');
    expect(s).toContain('LabelSmoothingCrossEntropy(eps=0.1)');
    expect(s).toContain('cbs=MixUp(0.4)');
    expect(s).toContain('flip_vert=True');
    expect(s).toContain('resnet50, pretrained=True');
    assertParses(s);
  });

  it('uses multi-label blocks, BCE and accuracy_multi for CSV multi-label data', () => {
    const s = reproductionScript({
      ...base,
      labelling: { kind: 'csv', csvName: 'labels.csv', labelDelim: ';', multiLabel: true },
      fit: { method: 'fit_sgdr', cycles: 3, cycleLen: 1, cycleMult: 2, lrMax: 1e-3 },
    });
    expect(s).toContain('MultiCategoryBlock');
    expect(s).toContain('get_y=ColReader(1, label_delim=";")');
    expect(s).toContain('BCEWithLogitsLossFlat()');
    expect(s).toContain('accuracy_multi');
    expect(s).toContain('learn.fit_sgdr(3, 1, cycle_mult=2, lr_max=1e-3)');
    assertParses(s);
  });

  it('writes the item transform the studio trained with: RandomResizedCrop or Resize', () => {
    const rrc = reproductionScript({ ...base, resize: 'random_resized_crop', minScale: 0.35 });
    expect(rrc).toContain('item_tfms=RandomResizedCrop(224, min_scale=0.35)');
    const fastaiDefault = reproductionScript({ ...base, resize: 'random_resized_crop' });
    expect(fastaiDefault).toContain('item_tfms=RandomResizedCrop(224, min_scale=0.08)');
    // The studio pads by reflection: fastai's default pad_mode, so none is written.
    const pad = reproductionScript({ ...base, resize: 'pad' });
    expect(pad).toContain('item_tfms=Resize(224, method=ResizeMethod.Pad),');
    assertParses(rrc);
  });
});
