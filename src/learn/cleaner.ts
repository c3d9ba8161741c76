// fastai's ImageClassifierCleaner, worker side: the per-item losses of one split (train or
// valid) from an eval-mode pass without augmentation (the interpret pass, interpretSession.ts),
// and the edit overlay (src/shared/cleaner.ts) set on the imported dataset, which the session's
// loaders are rebuilt with, so the next fit trains on the cleaned data. No file is touched.
import { itemTfmOf } from '../data/sourceSize';
import { dataLoaders } from '../data/importer';
import { learnerBatches, makeDataLoaders } from '../data/loaders';
import { editsProblem, type CleanerEdit } from '../shared/cleaner';
import type { CleanerLossesResult } from '../shared/protocol';
import { evalPass, session } from './interpretSession';
import { makeData, type LearnerHost } from './session';

const argmax = (row: number[]) => row.indexOf(Math.max(...row));

export async function cleanerLosses(
  h: LearnerHost,
  split: 'train' | 'valid',
): Promise<CleanerLossesResult> {
  const s = session(h);
  const { learn, setup } = s;
  const ds = h.data.current;
  if (setup.data !== 'imported' || !ds)
    throw new Error('the cleaner needs a model trained on an imported folder (Data panel)');
  const vocab = [...(learn.data.vocab ?? [])];
  if (vocab.join('\n') !== ds.summary.classes.join('\n'))
    throw new Error('the imported folder changed since the model was set up: set it up again');
  // Validation's item transform for both splits: no random crops when ranking by loss.
  const o = { itemTfm: itemTfmOf(setup), aug: 'none', seed: setup.seed } as const;
  const items = dataLoaders(h.data, o)[split].items;
  // Either split through a validation loader: in order, no augmentation.
  const multiLabel = ds.summary.multiLabel;
  const dls = makeDataLoaders({ train: [], valid: items, test: [] }, { ...o, vocab, multiLabel });
  const batches = learnerBatches(dls, setup.bs, learn.model.input);
  const { probs, losses } = await evalPass(s, () => batches.valid());
  const c = vocab.length;
  const rows = items.map((it, i) => {
    const row = probs.slice(i * c, (i + 1) * c);
    const best = argmax(row);
    const predicted = multiLabel ? vocab.filter((_, j) => row[j] >= 0.5) : [vocab[best]];
    return { path: it.path, labels: it.labels, predicted, prob: row[best], loss: losses[i] };
  });
  rows.sort((a, b) => b.loss - a.loss);
  return { split, vocab, multiLabel, items: rows, edits: ds.edits ?? [] };
}

/** Reports the overlay (no `edits`) or replaces it, checked against the imported data. */
export function cleanerEdits(h: LearnerHost, edits?: CleanerEdit[]): { edits: CleanerEdit[] } {
  const ds = h.data.current;
  if (edits === undefined) return { edits: ds?.edits ?? [] };
  if (!ds) throw new Error('no dataset imported yet: import a folder in the Data panel first');
  const paths = new Set(ds.items.map((it) => it.path));
  const problem = editsProblem(edits, ds.summary.classes, paths, ds.summary.multiLabel);
  if (problem) throw new Error(`cleaner: ${problem}`);
  ds.edits = edits.map((e) => (e.action === 'relabel' ? { ...e, labels: [...e.labels] } : e));
  const l = h.learner;
  if (l?.setup.data === 'imported') l.learn.data = makeData(h, l.setup, l.learn.model);
  return { edits: ds.edits };
}
