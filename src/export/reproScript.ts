// "When a laptop is no longer enough": a Python script that re-runs the studio session with
// fastai + PyTorch: the data as labelled and split (reproData.ts), the architecture, optimizer,
// loss and callbacks, then every fit of the session in order, with the freeze/unfreeze, image
// size and weight decay changes between them; or, with --from-export, the studio's exported
// weights instead of the fits. Pure text generation, so it is unit-tested without a browser.
import { formatLr, type LrSlice } from '../shared/schedule';
import type { Fit, FitStep, ReproSettings } from '../shared/protocol';
import { dataPart, num } from './reproData';

/** Studio architectures to torchvision/fastai names. The bundled Keras ResNet50 has no fastai
 * twin: torchvision's resnet50 is the closest (same depth and widths, v1.5 strides). */
const FASTAI_ARCH: Record<string, string> = {
  resnet18: 'resnet18',
  resnet34: 'resnet34',
  resnet50: 'resnet50',
  'resnet50-imagenet': 'resnet50',
};

const lr = (v: number | LrSlice) => formatLr(v, num);

/** Epochs a fit runs (fine_tune: its frozen epochs too; fit_sgdr: the sum of its cycles). */
export function fitEpochs(f: Fit): number {
  if (f.method !== 'fit_sgdr') return f.epochs + (f.method === 'fine_tune' ? f.freezeEpochs : 0);
  let n = 0;
  for (let i = 0; i < f.cycles; i++) n += f.cycleLen * f.cycleMult ** i;
  return n;
}

function fitCall(f: Fit, cbs: string): string {
  switch (f.method) {
    case 'fine_tune':
      return `learn.fine_tune(${f.epochs}, base_lr=${num(f.baseLr)}, freeze_epochs=${f.freezeEpochs}${cbs})`;
    case 'fit_one_cycle':
      return `learn.fit_one_cycle(${f.epochs}, lr_max=${lr(f.lrMax)}, moms=MOMS${cbs})`;
    case 'fit':
      return `learn.fit(${f.epochs}, lr=${lr(f.lr)}${cbs})`;
    case 'fit_sgdr':
      return `learn.fit_sgdr(${f.cycles}, ${f.cycleLen}, cycle_mult=${f.cycleMult}, lr_max=${lr(f.lrMax)}${cbs})`;
  }
}

/** The session's fits as fastai calls, with the state changes in between (4-space indented). */
function fitLines(s: ReproSettings): string[] {
  const out: string[] = [];
  let frozen = s.pretrained ? s.groups - 1 : 0; // vision_learner freezes only when pretrained
  let size = s.size;
  s.fits.forEach((step: FitStep, i) => {
    const f = step.fit;
    out.push(`# fit ${i + 1} of ${s.fits.length}`);
    if (step.size && step.size !== size) out.push(`learn.dls = make_dls(${(size = step.size)})`);
    if (step.wd !== undefined) out.push(`learn.wd = ${step.wd}`);
    // The studio trains the head alone on precomputed features: the body frozen, as here.
    const want = step.precompute ? s.groups - 1 : step.frozenGroups;
    if (f.method !== 'fine_tune' && want !== undefined && want !== frozen) {
      out.push(
        want === 0
          ? 'learn.unfreeze()'
          : want === s.groups - 1
            ? 'learn.freeze()'
            : `learn.freeze_to(${want})`,
      );
      frozen = want;
    }
    if (step.precompute)
      out.push('# (the studio trained the head on precomputed body features: no augmentation)');
    if (step.epochsDone !== undefined)
      out.push(`# (stopped in the studio after ${step.epochsDone} of ${fitEpochs(f)} epochs)`);
    const cbs = [
      ...(step.mixup ? [`MixUp(${step.mixup === true ? 0.4 : step.mixup})`] : []),
      ...(step.saveBest ? ['SaveModelCallback(monitor="valid_loss")'] : []),
    ];
    out.push(
      fitCall(f, cbs.length ? `, cbs=${cbs.length > 1 ? `[${cbs.join(', ')}]` : cbs[0]}` : ''),
    );
    if (f.method === 'fine_tune') frozen = 0;
  });
  return (out.length ? out : ['pass  # the session ran no fit']).map((l) => `    ${l}`);
}

/** Reads the studio's safetensors export into fastai's Sequential(body, head). */
const LOAD_EXPORT = [
  'def read_safetensors(f):',
  '    data = Path(f).read_bytes()',
  '    n = int.from_bytes(data[:8], "little")',
  '    dtypes = {"F32": torch.float32, "I64": torch.int64, "F16": torch.float16}',
  '    out = {}',
  '    for k, v in json.loads(data[8 : 8 + n]).items():',
  '        if k != "__metadata__":',
  '            b, e = (8 + n + o for o in v["data_offsets"])',
  '            out[k] = torch.frombuffer(bytearray(data[b:e]), dtype=dtypes[v["dtype"]]).reshape(v["shape"])',
  '    return out',
  '',
  '',
  'def load_export(learn, d):',
  '    """model.safetensors + config.json of the studio: torchvision body keys -> create_body\'s indices."""',
  '    cfg = json.loads((Path(d) / "config.json").read_text())',
  '    if cfg["key_naming"] != "torchvision":',
  "        sys.exit(f\"{d}: a {cfg['architecture']} export ({cfg['key_naming']} keys) does not fit fastai's {ARCH.__name__}; scripts/torch/load_export.py loads it for inference\")",
  '    assert cfg["classes"] == [str(c) for c in learn.dls.vocab], f"{d}: classes {cfg[\'classes\']} are not the data\'s"',
  '    body = {"conv1": 0, "bn1": 1, "layer1": 4, "layer2": 5, "layer3": 6, "layer4": 7}',
  '    key = lambda k: f"1.{k[5:]}" if k.startswith("head.") else f"0.{body[k.split(\'.\')[0]]}.{k.split(\'.\', 1)[1]}"',
  '    sd = read_safetensors(Path(d) / "model.safetensors")',
  '    learn.model.load_state_dict({key(k): v for k, v in sd.items()}, strict=True)',
];

export function reproductionScript(s: ReproSettings): string {
  const multi = s.labelling.kind === 'csv' && s.labelling.multiLabel;
  const loss = multi
    ? 'BCEWithLogitsLossFlat()'
    : s.labelSmoothing
      ? 'LabelSmoothingCrossEntropy(eps=0.1)'
      : 'CrossEntropyLossFlat()';
  const o = s.opt;
  const opt =
    o.kind === 'Adam'
      ? `partial(Adam, mom=${o.mom}, sqr_mom=${o.sqrMom}, eps=${num(o.eps)})`
      : `partial(SGD, mom=${o.mom})`;
  const studio = { classes: s.classes, ...s.images };
  return [
    '#!/usr/bin/env python3',
    '# Reproduces a Studio training session with fastai + PyTorch (pip install fastai).',
    '# Usage: python train.py /path/to/the/folder/you/dropped [--from-export DIR]',
    "#   --from-export DIR: start from the studio's exported weights (model.safetensors + config.json)",
    "#   instead of re-running the session's fits from ImageNet.",
    ...(s.arch === 'resnet50-imagenet'
      ? [
          "# Studio's bundled Keras ResNet50 has no fastai twin; torchvision's resnet50 is the closest.",
        ]
      : []),
    'from fastai.vision.all import *',
    '',
    'import argparse',
    'import csv',
    'import json',
    'import os',
    'import sys',
    '',
    'args = argparse.ArgumentParser()',
    'args.add_argument("path", nargs="?", default=".")',
    'args.add_argument("--from-export", metavar="DIR", help="the studio\'s export folder")',
    'args = args.parse_args()',
    'path = Path(args.path)',
    '',
    `ARCH = ${FASTAI_ARCH[s.arch] ?? s.arch}`,
    `BS = ${s.batchSize}`,
    `OPT = ${opt}`,
    `WD = ${o.wd}`,
    `MOMS = (${s.moms.join(', ')})`,
    // Strings and numbers only: the JSON is a Python literal.
    `STUDIO = ${JSON.stringify(studio)}  # what the studio read`,
    ...dataPart(s),
    '',
    '',
    ...LOAD_EXPORT,
    '',
    '',
    `dls = make_dls(${s.size})`,
    'check(dls)',
    `learn = vision_learner(dls, ARCH, pretrained=${s.pretrained ? 'not args.from_export' : 'False'}, loss_func=${loss},`,
    `                       metrics=${multi ? 'partial(accuracy_multi, thresh=0.5)' : 'error_rate'}, opt_func=OPT, wd=WD)`,
    'if args.from_export:',
    '    load_export(learn, args.from_export)',
    '    print("validate:", learn.validate())',
    'else:',
    ...fitLines(s),
    'learn.export("model.pkl")',
    '',
  ].join('\n');
}
