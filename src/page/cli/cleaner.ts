// The cleaner's CLI-bridge command (spread into src/page/cli/bridge.ts), on the cleaner slice's
// actions, as the Interpret panel's buttons:
//   clean --list [--split train|valid] [--class C] [--k 20]   images by loss, highest first
//   clean [--delete P[,P]] [--relabel P=L[;L][,P=L]] [--undo P[,P]]   edit the overlay
import { mergeEdits, type CleanerEdit } from '../../shared/cleaner';
import { useStudio } from '../store/studio';
import type { CliArgs } from './bridge';

const list = (v: unknown) => (v === undefined ? [] : String(v).split(',').filter(Boolean));

function relabel(spec: string): CleanerEdit {
  const at = spec.lastIndexOf('=');
  if (at <= 0) throw new Error(`--relabel ${spec}: give path=label (labels split by ;)`);
  return { path: spec.slice(0, at), action: 'relabel', labels: spec.slice(at + 1).split(';') };
}

const orThrow = <T>(r: T | undefined): T => {
  if (r === undefined) throw new Error(useStudio.getState().cleanerError ?? 'clean failed');
  return r;
};

export const cleanerCommands: Record<string, (args: CliArgs) => Promise<unknown>> = {
  async clean(a) {
    const s = useStudio.getState();
    const edits = [
      ...list(a.delete).map((path): CleanerEdit => ({ path, action: 'delete' })),
      ...list(a.relabel).map(relabel),
    ];
    const undo = list(a.undo);
    if (!a.list && !edits.length && !undo.length)
      throw new Error('clean: give --list, or edits (--delete, --relabel, --undo)');
    if (undo.length) orThrow(await s.undoCleaner(undo));
    // The overlay in force, then the new edits on top (a later edit of a path replaces it).
    if (edits.length)
      orThrow(await s.applyCleaner(mergeEdits(useStudio.getState().cleanerEdits, edits)));
    return a.list ? listLosses(a) : { edits: useStudio.getState().cleanerEdits };
  },
};

async function listLosses(a: CliArgs) {
  const split = String(a.split ?? 'train');
  if (split !== 'train' && split !== 'valid') throw new Error(`--split ${split}: train or valid`);
  const r = orThrow(await useStudio.getState().loadCleaner(split));
  const cls = a.class === undefined ? undefined : String(a.class);
  if (cls !== undefined && !r.vocab.includes(cls))
    throw new Error(`--class ${cls}: not a class (${r.vocab.join(', ')})`);
  const items = r.items.filter((it) => cls === undefined || it.labels.includes(cls));
  return { ...r, items: items.slice(0, Number(a.k ?? 20)), n: items.length };
}
