// Autosave (worker side): at every epoch end the session (settings, classes, split, and the
// checkpoint's snapshot of weights, optimizer state and history: no second GPU read) goes into
// IndexedDB as a session archive (src/export/sessionIO.ts), so a reloaded or crashed tab can
// offer it back (src/page/store/restore.ts). Nothing leaves
// the browser: IndexedDB is the page's own storage.
import type { DataState } from '../data/importer';
import { exportSession } from '../export/sessionIO';
import { historyOf } from '../learn/history';
import type { LearnSession } from '../learn/session';
import type { Snapshot } from '../learn/snapshot';
import { writeAutosave, type AutosaveMeta } from '../shared/autosaveStore';

/** Writes the current session; returns its summary (undefined when there is no session). */
export async function autosave(
  s: LearnSession | undefined,
  data: DataState,
  snap?: Snapshot,
): Promise<AutosaveMeta | undefined> {
  if (!s) return undefined;
  const ds = s.setup.data === 'imported' ? data.current : undefined;
  const bytes = await exportSession(s, data.current, snap);
  const items = ds?.items ?? [];
  const h = historyOf(s.learn);
  const meta: AutosaveMeta = {
    savedAt: new Date().toISOString(),
    arch: s.learn.model.arch,
    data: s.setup.data,
    classes: ds ? [...ds.summary.classes] : [],
    epochs: h.epochs.length,
    iterations: h.iterations,
    nImages: items.length,
    folders: [...new Set(items.map((i) => i.path.split('/')[0]))].slice(0, 5),
    bytes: bytes.byteLength,
  };
  const archive = bytes.slice().buffer as ArrayBuffer;
  await writeAutosave({ meta, archive });
  return meta;
}
