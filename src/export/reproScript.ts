// "When a laptop is no longer enough": a Python script that re-runs the studio's recipe with
// fastai + PyTorch: same data layout and labelling, architecture, sizes, augmentation, schedule
// and hyper-parameters. Pure text generation, so it is unit-tested without a browser.
import { formatLr } from '../shared/schedule';
import type { Fit, ReproSettings } from '../shared/protocol';

/** Studio architectures to torchvision/fastai names. The bundled Keras ResNet50 has no fastai
 * twin: torchvision's resnet50 is the closest (same depth and widths, v1.5 strides). */
const FASTAI_ARCH: Record<string, string> = {
  resnet18: 'resnet18',
  resnet34: 'resnet34',
  resnet50: 'resnet50',
  'resnet50-imagenet': 'resnet50',
};

const py = (v: string) => JSON.stringify(v); // a JSON string is a valid Python string literal
const num = (v: number) => (Number.isInteger(v) ? String(v) : v.toExponential().replace('e+', 'e'));

function itemTfms(s: ReproSettings): string {
  if (s.resize === 'random_resized_crop')
    return `RandomResizedCrop(${s.size}, min_scale=${s.minScale ?? 0.08})`;
  const method = {
    squish: 'ResizeMethod.Squish',
    crop: 'ResizeMethod.Crop',
    pad: 'ResizeMethod.Pad', // reflection borders: fastai's default pad_mode, as the studio pads
  }[s.resize];
  return `Resize(${s.size}, method=${method})`;
}

function batchTfms(s: ReproSettings): string {
  if (s.aug === 'none') return '[Normalize.from_stats(*imagenet_stats)]';
  const flip =
    s.aug === 'top-down' ? 'do_flip=True, flip_vert=True' : 'do_flip=True, flip_vert=False';
  return `[*aug_transforms(${flip}), Normalize.from_stats(*imagenet_stats)]`;
}

function dataBlock(s: ReproSettings): string[] {
  const l = s.labelling;
  const splitter =
    s.split.kind === 'folders'
      ? `GrandparentSplitter(train_name=${py(s.split.train)}, valid_name=${py(s.split.valid)})`
      : `RandomSplitter(valid_pct=${s.split.validPct}, seed=${s.split.seed})`;
  if (l.kind === 'csv') {
    return [
      `df = pd.read_csv(path/${py(l.csvName)})`,
      `dblock = DataBlock(`,
      `    blocks=(ImageBlock, ${l.multiLabel ? 'MultiCategoryBlock' : 'CategoryBlock'}),`,
      `    get_x=ColReader(0, pref=path),`,
      `    get_y=ColReader(1${l.multiLabel ? `, label_delim=${py(l.labelDelim)}` : ''}),`,
      `    splitter=${s.split.kind === 'random' ? splitter : 'RandomSplitter(valid_pct=0.2, seed=42)'},`,
      `    item_tfms=${itemTfms(s)},`,
      `    batch_tfms=${batchTfms(s)})`,
      `dls = dblock.dataloaders(df, bs=${s.batchSize})`,
    ];
  }
  const getY =
    l.kind === 'regex' ? `using_attr(RegexLabeller(${py(l.pattern)}), 'name')` : 'parent_label';
  return [
    `dblock = DataBlock(`,
    `    blocks=(ImageBlock, CategoryBlock),`,
    `    get_items=get_image_files,`,
    `    get_y=${getY},`,
    `    splitter=${splitter},`,
    `    item_tfms=${itemTfms(s)},`,
    `    batch_tfms=${batchTfms(s)})`,
    `dls = dblock.dataloaders(path, bs=${s.batchSize})`,
  ];
}

function fitLine(f: Fit): string {
  switch (f.method) {
    case 'fine_tune':
      return `learn.fine_tune(${f.epochs}, base_lr=${num(f.baseLr)}, freeze_epochs=${f.freezeEpochs})`;
    case 'fit_one_cycle':
      return `learn.fit_one_cycle(${f.epochs}, lr_max=${formatLr(f.lrMax, num)})`;
    case 'fit_sgdr':
      return `learn.fit_sgdr(${f.cycles}, ${f.cycleLen}, cycle_mult=${f.cycleMult}, lr_max=${formatLr(f.lrMax, num)})`;
  }
}

export function reproductionScript(s: ReproSettings): string {
  const multi = s.labelling.kind === 'csv' && s.labelling.multiLabel;
  const arch = FASTAI_ARCH[s.arch] ?? s.arch;
  const loss = multi
    ? 'BCEWithLogitsLossFlat()'
    : s.labelSmoothing
      ? 'LabelSmoothingCrossEntropy(eps=0.1)'
      : 'CrossEntropyLossFlat()';
  const cbs = s.mixup ? ', cbs=MixUp(0.4)' : '';
  return [
    '#!/usr/bin/env python3',
    '# Reproduces a Studio training run with fastai + PyTorch (pip install fastai).',
    `# Usage: python train.py /path/to/the/folder/you/dropped`,
    ...(s.arch === 'resnet50-imagenet'
      ? [
          "# Studio's bundled Keras ResNet50 has no fastai twin; torchvision's resnet50 is the closest.",
        ]
      : []),
    'import sys',
    'import pandas as pd',
    'from fastai.vision.all import *',
    '',
    'path = Path(sys.argv[1] if len(sys.argv) > 1 else ".")',
    `expected_classes = ${JSON.stringify(s.classes)}`,
    ...dataBlock(s),
    'assert list(dls.vocab) == expected_classes, f"classes differ from the studio run: {dls.vocab}"',
    `learn = vision_learner(dls, ${arch}, pretrained=${s.pretrained ? 'True' : 'False'}, loss_func=${loss},`,
    `                       metrics=${multi ? 'partial(accuracy_multi, thresh=0.5)' : 'error_rate'}, wd=${num(s.wd)}${cbs})`,
    fitLine(s.fit),
    'learn.export("model.pkl")',
    '',
  ].join('\n');
}
