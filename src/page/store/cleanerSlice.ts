// The Interpret panel's cleaner (fastai's ImageClassifierCleaner): one split's images by loss,
// the user's marks (delete, relabel) waiting to be applied, and the overlay the worker holds
// (src/learn/cleaner.ts). Applying replaces the overlay; undoing an edit drops it from it.
import type { StateCreator } from 'zustand';
import { mergeEdits, type CleanerEdit } from '../../shared/cleaner';
import type { CleanerLossesResult } from '../../shared/protocol';
import { worker } from './client';
import type { Studio } from './studio';

export interface CleanerSlice {
  cleanerStatus: 'idle' | 'running' | 'error';
  cleanerError?: string;
  cleanerResult?: CleanerLossesResult;
  /** The overlay in force in the worker. */
  cleanerEdits: CleanerEdit[];
  /** Marks not applied yet, by path (keep = no mark). */
  cleanerMarks: Record<string, CleanerEdit>;
  loadCleaner(split: 'train' | 'valid'): Promise<CleanerLossesResult | undefined>;
  markCleaner(path: string, edit: CleanerEdit | undefined): void;
  /** The marks merged into the overlay (or `edits` replacing it), sent to the worker. */
  applyCleaner(edits?: CleanerEdit[]): Promise<CleanerEdit[] | undefined>;
  undoCleaner(paths: string[]): Promise<CleanerEdit[] | undefined>;
}

/** A new import (or session) has its own overlay: what the page showed of the old one goes. */
export const CLEANER_RESET = {
  cleanerResult: undefined,
  cleanerEdits: [] as CleanerEdit[],
  cleanerMarks: {} as Record<string, CleanerEdit>,
  cleanerError: undefined,
};

export const createCleanerSlice: StateCreator<Studio, [], [], CleanerSlice> = (set, get) => {
  const fail = (err: unknown) => {
    set({ cleanerStatus: 'error', cleanerError: (err as Error).message });
    return undefined;
  };
  const send = async (edits: CleanerEdit[]) => {
    set({ cleanerStatus: 'running', cleanerError: undefined });
    try {
      const r = await worker().call('cleanerEdits', { edits });
      set({ cleanerStatus: 'idle', cleanerEdits: r.edits });
      return r.edits;
    } catch (err) {
      return fail(err);
    }
  };
  return {
    cleanerStatus: 'idle',
    cleanerEdits: [],
    cleanerMarks: {},
    async loadCleaner(split) {
      if (get().cleanerStatus === 'running' || !(await get().connect())) return undefined;
      set({ cleanerStatus: 'running', cleanerError: undefined });
      try {
        const r = await worker().call('cleanerLosses', { split });
        set({ cleanerStatus: 'idle', cleanerResult: r, cleanerEdits: r.edits, cleanerMarks: {} });
        return r;
      } catch (err) {
        return fail(err);
      }
    },
    markCleaner(path, edit) {
      const { [path]: _old, ...rest } = get().cleanerMarks;
      set({ cleanerMarks: edit ? { ...rest, [path]: edit } : rest });
    },
    async applyCleaner(edits) {
      const next = edits ?? mergeEdits(get().cleanerEdits, Object.values(get().cleanerMarks));
      const r = await send(next);
      if (r && !edits) set({ cleanerMarks: {} });
      return r;
    },
    undoCleaner(paths) {
      const drop = new Set(paths);
      return send(get().cleanerEdits.filter((e) => !drop.has(e.path)));
    },
  };
};
