// Data import (src/data/importer.ts): decoding needs no GPU; show_batch augments on it.
import { cachedImage, classSamples, importFiles, showBatch, stageFiles } from '../../data/importer';
import type { Handlers } from './types';

export const dataHandlers: Handlers<
  'stageFiles' | 'importFiles' | 'dataSamples' | 'dataImage' | 'showBatch'
> = {
  stageFiles: (args, st) => ({ staged: stageFiles(st.data, args.files, args.reset) }),
  importFiles: (args, st, emit) => importFiles(st.data, args, emit),
  dataSamples: (args, st) => classSamples(st.data, args.perClass),
  dataImage: (args, st) => cachedImage(st.data, args.path) ?? null,
  showBatch: (args, st) => showBatch(st.data, args),
};
