// Restore after a reload or crash (main thread): the worker autosaves the session into IndexedDB
// at every epoch end (src/reliability/autosave.ts); here the page offers it back. A demo-data
// session comes back whole. An imported-folder session needs its images: the user re-drops the
// folder (browsers keep no file access across reloads for dropped files), then Restore re-attaches
// the saved labels and train/valid split to it (importSession checks classes and paths). Webcam
// captures come back from the archive itself.
import { useStudio } from './studio';
import { clearAutosave, readAutosave, type AutosaveMeta } from '../../shared/autosaveStore';
import { CAPTURE_ROOT } from '../../shared/captures';

export async function autosaveInfo(): Promise<AutosaveMeta | undefined> {
  try {
    return (await readAutosave())?.meta;
  } catch {
    return undefined; // IndexedDB unavailable (private mode, blocked storage): nothing to offer
  }
}

/** Why the saved session cannot be restored yet (its folder is not imported), or undefined. */
export function restoreBlocker(meta: AutosaveMeta): string | undefined {
  // Webcam captures only: the archive holds the images themselves.
  const webcamOnly = meta.folders.length > 0 && meta.folders.every((f) => f === CAPTURE_ROOT);
  if (meta.data !== 'imported' || webcamOnly) return undefined;
  const have = useStudio.getState().dataSummary?.classes ?? [];
  if (have.join('\n') === meta.classes.join('\n')) return undefined;
  const where = meta.folders.length ? ` (${meta.folders.join(', ')})` : '';
  return `drop the same folder${where} of ${meta.nImages} images in the Data panel first: its labels and split are re-attached`;
}

/** The autosaved archive through the same session import as the Export panel's and the CLI's. */
export async function restoreAutosave() {
  const rec = await readAutosave();
  if (!rec) throw new Error('no saved session');
  await useStudio.getState().restoreCaptures(rec.archive);
  const blocker = restoreBlocker(rec.meta);
  if (blocker) throw new Error(blocker);
  const r = await useStudio.getState().importSession(rec.archive);
  useStudio
    .getState()
    .notify(`session restored: ${rec.meta.arch}, ${r.epochs} epochs, saved ${rec.meta.savedAt}`);
  return { meta: rec.meta, epochs: r.epochs, iterations: r.iterations, warnings: r.warnings };
}

export const discardAutosave = clearAutosave;
