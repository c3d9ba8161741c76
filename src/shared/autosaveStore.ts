// The autosave's IndexedDB record, shared by the worker (writes: autosave.ts) and the page
// (reads: restore.ts). No tensor code here: the page imports it.
import { createStore, del, get, set, type UseStore } from 'idb-keyval';

export const AUTOSAVE_DB = 'studio-autosave';
const KEY = 'last';

export interface AutosaveMeta {
  savedAt: string;
  arch: string;
  data: 'demo' | 'imported';
  classes: string[];
  /** Epoch rows and training iterations in the saved history. */
  epochs: number;
  iterations: number;
  /** Imported data: how many images, and the top folder(s) they came from (to re-drop). */
  nImages: number;
  folders: string[];
  bytes: number;
}
export interface AutosaveRecord {
  meta: AutosaveMeta;
  archive: ArrayBuffer;
}

let db: UseStore | undefined;
export const autosaveStore = () => (db ??= createStore(AUTOSAVE_DB, 'sessions'));

export const writeAutosave = (r: AutosaveRecord) => set(KEY, r, autosaveStore());
export const readAutosave = () => get<AutosaveRecord>(KEY, autosaveStore());
export const clearAutosave = () => del(KEY, autosaveStore());
