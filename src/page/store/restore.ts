// Restore after a reload or crash (main thread): the worker autosaves the session into IndexedDB
// at every epoch end (src/reliability/autosave.ts); here the page offers it back. A demo-data
// session comes back whole. An imported-folder session needs its images: the user re-drops the
// folder (browsers keep no file access across reloads for dropped files), then Restore re-attaches
// the saved labels and train/valid split to it (importSession checks classes and paths).
import type { HistoryData } from '../../shared/protocol';
import { useStudio, worker } from './studio';
import { clearAutosave, readAutosave, type AutosaveMeta } from '../../shared/autosaveStore';

export async function autosaveInfo(): Promise<AutosaveMeta | undefined> {
  try {
    return (await readAutosave())?.meta;
  } catch {
    return undefined; // IndexedDB unavailable (private mode, blocked storage): nothing to offer
  }
}

/** Why the saved session cannot be restored yet (its folder is not imported), or undefined. */
export function restoreBlocker(meta: AutosaveMeta): string | undefined {
  if (meta.data !== 'imported') return undefined;
  const have = useStudio.getState().dataSummary?.classes ?? [];
  if (have.join('\n') === meta.classes.join('\n')) return undefined;
  const where = meta.folders.length ? ` (${meta.folders.join(', ')})` : '';
  return `drop the same folder${where} of ${meta.nImages} images in the Data panel first: its labels and split are re-attached`;
}

/** The history as the Train panel's records: the epoch table and the loss/LR curves. */
function showHistory(h: HistoryData) {
  const of = h.batches.length;
  useStudio.setState({
    trainEpochs: h.epochs.map((e) => ({ ...e, numTensors: NaN })),
    trainBatches: h.batches.map((b) => ({
      iter: b.iter + 1,
      of,
      epoch: b.epoch,
      loss: b.loss,
      smoothLoss: b.smoothLoss,
      lr: b.lr,
      mom: b.mom,
      elapsed: 0,
      bs: 0,
    })),
  });
}

export async function restoreAutosave() {
  const rec = await readAutosave();
  if (!rec) throw new Error('no saved session');
  const blocker = restoreBlocker(rec.meta);
  if (blocker) throw new Error(blocker);
  if (!(await useStudio.getState().connect())) throw new Error('WebGPU is not available');
  // The export helper's session import (src/export/sessionIO.ts), as its Import button does.
  const r = await worker().call('importSession', { bytes: rec.archive });
  useStudio.setState({ trainSetup: r.setup, trainResult: undefined, trainError: undefined });
  showHistory(r.history);
  useStudio.getState().applyEvents([
    {
      type: 'status',
      message: `session restored: ${rec.meta.arch}, ${r.epochs} epochs, saved ${rec.meta.savedAt}`,
    },
  ]);
  return { meta: rec.meta, epochs: r.epochs, iterations: r.iterations, warnings: r.warnings };
}

export const discardAutosave = clearAutosave;
