// `exportModel {format}` (worker): the current Learner session's model as safetensors +
// config.json, a TF.js layers model, a session archive, a fastai reproduction script, or a
// one-file offline inference page.
import * as tf from '@tensorflow/tfjs';
import onefileRuntime from 'virtual:onefile-runtime';
import type { Dataset } from '../data/importer';
import { historyOf } from '../learn/history';
import type { Learner } from '../learn/learner';
import { KERAS_BN_EPS } from '../models/kerasResnet50';
import { normalizeInput } from '../data/normalize';
import { itemTfmOf, sourceTarget } from '../data/sourceSize';
import { onefilePage } from './onefile/onefile';
import type { StateDict } from '../models/weights/tensors';
import { reproductionScript } from './reproScript';
import { FASTAI_ARCHS, sessionReproSettings } from './reproSettings';
import type { LearnSession } from '../learn/session';
import { weightsToCpu } from '../learn/snapshot';
import { membersOf } from '../learn/ensemble';
import { exportSession, multiLabelOf, rawOf } from './sessionIO';
import { tfjsExport } from './tfjsExport';
import { safetensorsExport, type ExportedFile, type ExportMeta } from './torchExport';

import { EXPORT_FORMATS } from '../shared/formats';
import type { ExportArgs, ExportResult } from '../shared/protocol';
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

/** The snapshot ensemble to export, or why there is none. */
function ensembleMembers(session: LearnSession) {
  try {
    return membersOf(session);
  } catch (e) {
    throw new Error(`export --ensemble: ${(e as Error).message}`, { cause: e });
  }
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
          '\nfrom fastai.vision.all',
          `\n# The studio trained '${setup.arch}', which has no fastai twin: resnet18 stands in.\nfrom fastai.vision.all`,
        );
      files = [{ name: 'train.py', bytes: new TextEncoder().encode(text) }];
      break;
    }
    case 'page': {
      const m = exportMeta(learn, setup.size);
      const meta = { ...m, itemTfm: itemTfmOf(setup), source: sourceTarget(setup), aug: setup.aug };
      // The ensemble's snapshots are CPU copies already: no GPU read, and rawOf shares f32 data.
      const sets = args.ensemble
        ? ensembleMembers(session).map(
            (s) => new Map([...s.weights].map(([k, c]) => [k, rawOf(c)])),
          )
        : [await modelTensors(learn)];
      const html = onefilePage(sets, meta, onefileRuntime, { f16: args.f16 });
      const tag = `${args.ensemble ? `-ensemble${sets.length}` : ''}${args.f16 ? '-f16' : ''}`;
      files = [
        { name: `${setup.arch}-classifier${tag}.html`, bytes: new TextEncoder().encode(html) },
      ];
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
