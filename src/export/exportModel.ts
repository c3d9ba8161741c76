// `exportModel {format}` (worker): the current Learner session's model as safetensors +
// config.json, a TF.js layers model, a session archive, or a fastai reproduction script.
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data/importer';
import { historyOf } from '../learn/history';
import type { LrSlice } from '../shared/schedule';
import type { Learner } from '../learn/learner';
import { KERAS_BN_EPS } from '../models/kerasResnet50';
import { normalizeInput } from '../data/normalize';
import type { StateDict } from '../models/weights/tensors';
import { reproductionScript } from './reproScript';
import type { LearnSession } from '../learn/session';
import { weightsToCpu } from '../learn/snapshot';
import { exportSession, multiLabelOf, rawOf } from './sessionIO';
import { tfjsExport } from './tfjsExport';
import { safetensorsExport, type ExportedFile, type ExportMeta } from './torchExport';

import { EXPORT_FORMATS } from '../shared/formats';
import type { ExportArgs, ExportResult, Fit, ReproSettings } from '../shared/protocol';
export { EXPORT_FORMATS, type ExportFormat } from '../shared/formats';

function exportMeta(learn: Learner, size: number): ExportMeta {
  const m = learn.model;
  return {
    arch: m.arch,
    classes: [...(learn.data.vocab ?? [])],
    multiLabel: multiLabelOf(learn),
    size,
    input: m.input,
    bnEps: m.arch === 'keras-resnet50' ? KERAS_BN_EPS : 1e-5,
  };
}

async function modelTensors(learn: Learner): Promise<StateDict> {
  return new Map([...(await weightsToCpu(learn.model))].map(([k, c]) => [k, rawOf(c)]));
}

const FASTAI_ARCHS = new Set(['resnet18', 'resnet34', 'resnet50', 'resnet50-imagenet']);

/** The fastai recipe of this session (src/export/reproScript.ts). */
export function sessionReproSettings(
  { learn, setup }: LearnSession,
  data: Dataset | undefined,
  overrides: Partial<ReproSettings> = {},
): ReproSettings {
  const ds = setup.data === 'imported' ? data : undefined;
  const multi = multiLabelOf(learn);
  const labelling: ReproSettings['labelling'] =
    ds?.summary.labelMode === 'csv'
      ? { kind: 'csv', csvName: 'labels.csv', labelDelim: ';', multiLabel: multi }
      : ds?.summary.labelMode === 'regex'
        ? { kind: 'regex', pattern: '^(.+)_\\d+\\.\\w+$' }
        : { kind: 'folder' };
  let split: ReproSettings['split'] = { kind: 'random', validPct: 0.2, seed: 42 };
  if (ds?.summary.split === 'folders') {
    const seg = (s: 'train' | 'valid') =>
      ds.items
        .find((i) => i.split === s)
        ?.path.split('/')
        .find((p) => (s === 'train' ? /^train$/i : /^(valid|val|validation)$/i).test(p)) ?? s;
    split = { kind: 'folders', train: seg('train'), valid: seg('valid') };
  } else if (ds) {
    const { train, valid } = ds.summary.images;
    split = {
      kind: 'random',
      validPct: Math.round((100 * valid) / (train + valid)) / 100,
      seed: 42,
    };
  }
  const first = historyOf(learn).fits[0]?.args as
    | {
        policy?: string;
        epochs?: number;
        lr?: number | LrSlice;
        cycleLen?: number;
        cycleMult?: number;
        mixup?: boolean;
      }
    | undefined;
  const epochs = first?.epochs ?? 1;
  const fit: Fit =
    first?.policy === 'sgdr'
      ? {
          method: 'fit_sgdr',
          cycles: epochs,
          cycleLen: first.cycleLen ?? 1,
          cycleMult: first.cycleMult ?? 2,
          lrMax: first.lr ?? 1e-3,
        }
      : first?.policy === 'one_cycle' || first?.policy === 'fit'
        ? { method: 'fit_one_cycle', epochs, lrMax: first.lr ?? 1e-3 }
        : { method: 'fine_tune', epochs, baseLr: (first?.lr as number) ?? 2e-3, freezeEpochs: 1 };
  return {
    arch: FASTAI_ARCHS.has(setup.arch) ? setup.arch : 'resnet18',
    pretrained: setup.pretrained || setup.body === 'current',
    size: setup.size,
    batchSize: setup.bs,
    resize: setup.resize,
    minScale: setup.resize === 'random_resized_crop' ? setup.minScale : undefined,
    aug: setup.aug,
    labelling,
    split,
    fit,
    wd: learn.wd ?? 0.01,
    labelSmoothing: setup.labelSmoothing,
    mixup: !!first?.mixup,
    classes: [...(learn.data.vocab ?? [])],
    ...overrides,
  };
}

/** The session's model (or whole session, or recipe) as files; `ds`: the imported dataset. */
export async function exportModel(
  session: LearnSession,
  ds: Dataset | undefined,
  args: ExportArgs,
): Promise<ExportResult> {
  const { learn, setup } = session;
  let files: ExportedFile[];
  switch (args.format) {
    case 'safetensors':
      files = safetensorsExport(
        await modelTensors(learn),
        exportMeta(learn, setup.size),
        historyOf(learn).iterations,
      );
      break;
    case 'tfjs':
      files = await tfjsExport(learn.model, exportMeta(learn, setup.size));
      break;
    case 'session':
      files = [{ name: 'session.zip', bytes: await exportSession(session, ds) }];
      break;
    case 'script': {
      const s = sessionReproSettings(session, ds, args.script);
      let text = reproductionScript(s);
      if (!FASTAI_ARCHS.has(setup.arch))
        text = text.replace(
          '\nimport sys',
          `\n# The studio trained '${setup.arch}', which has no fastai twin: resnet18 stands in.\nimport sys`,
        );
      files = [{ name: 'train.py', bytes: new TextEncoder().encode(text) }];
      break;
    }
    default:
      throw new Error(
        `unknown export format '${String(args.format)}' (known: ${EXPORT_FORMATS.join(', ')})`,
      );
  }
  return {
    files: files.map((f) => ({
      name: f.name,
      bytes: f.bytes.buffer.slice(
        f.bytes.byteOffset,
        f.bytes.byteOffset + f.bytes.byteLength,
      ) as ArrayBuffer,
    })),
  };
}

/** Eval-mode probabilities of the session's model on [0,1] RGB pixels (NHWC), for export checks. */
export async function learnForward(
  { learn }: LearnSession,
  args: { input: Float32Array | number[]; shape: [number, number, number, number] },
): Promise<{ probs: number[][]; logits: number[][] }> {
  const m = learn.model;
  const multi = multiLabelOf(learn);
  const [logits, probs] = tf.tidy(() => {
    const x = normalizeInput(tf.tensor4d(Float32Array.from(args.input), args.shape), m.input, tf);
    const l = m.forward(x, { training: false });
    return [l, multi ? tf.sigmoid(l) : tf.softmax(l)];
  });
  const out = {
    logits: (await logits.array()) as number[][],
    probs: (await probs.array()) as number[][],
  };
  tf.dispose([logits, probs]);
  return out;
}
