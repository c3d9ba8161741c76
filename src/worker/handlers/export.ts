// Export (src/export/): the Learner session's model and whole session as files, and a session
// archive back in. Session import composes read archive (export/) -> build a Learner with the
// archive's setup (learn/) -> install it in the worker state; the current session is kept
// aside and put back untouched if anything does not fit.
import { exportModel, learnForward } from '../../export/exportModel';
import { readCaptures, SessionArchiveError, unpackSession } from '../../export/sessionArchive';
import { checkData, loadSessionParts, snapshotsOf } from '../../export/sessionIO';
import { editsProblem } from '../../shared/cleaner';
import { restoreSplit } from '../../shared/split';
import {
  disposeLearner,
  disposeSession,
  setupLearner,
  type LearnSession,
} from '../../learn/session';
import type { ImportSessionResult, LearnSetupArgs } from '../../shared/protocol';
import type { WorkerState } from '../state';
import type { Handlers } from './types';

function sessionToExport(st: WorkerState): LearnSession {
  if (!st.learner)
    throw new Error('nothing to export: set up (and train) a model in the Train panel first');
  return st.learner;
}

export async function importSession(
  st: WorkerState,
  bytes: Uint8Array,
  file?: string,
): Promise<ImportSessionResult> {
  const parts = unpackSession(bytes, file);
  const warnings: string[] = [];
  const setup = parts.settings.setup as LearnSetupArgs & { data: 'demo' | 'imported' };
  const ds = st.data.current;
  checkData(ds, setup.data, parts.classes, parts.split, warnings);
  const edits = parts.cleaner?.edits ?? [];
  if (edits.length && setup.data !== 'imported')
    throw new SessionArchiveError('cleaner.json: the demo data has no files to clean', file);
  const problem =
    ds &&
    editsProblem(
      edits,
      parts.classes,
      new Set(ds.items.map((it) => it.path)),
      ds.summary.multiLabel,
    );
  if (problem) throw new SessionArchiveError(`cleaner.json: ${problem}`, file);
  const old = st.learner;
  const oldEdits = ds?.edits;
  st.learner = undefined;
  let undoSplit = () => {};
  try {
    if (setup.data === 'imported' && ds) {
      undoSplit = restoreSplit(ds.items, parts.split);
      ds.edits = edits; // before the loaders are built
    }
    // Pretrained bodies would be loaded only to be overwritten: build from the architecture.
    const result = await setupLearner(st, { ...setup, pretrained: false, body: 'arch' });
    const { learn, setup: installed } = st.learner!;
    Object.assign(installed, { pretrained: setup.pretrained, body: setup.body });
    if (result.vocab.join('\n') !== parts.classes.join('\n'))
      throw new SessionArchiveError(
        `session classes [${parts.classes.join(', ')}] differ from the data's [${result.vocab.join(', ')}]`,
      );
    const history = loadSessionParts(learn, parts);
    st.learner!.snapshots = snapshotsOf(learn.model, parts, warnings);
    // The import succeeded: the old session goes.
    disposeSession(old);
    return {
      setup: result,
      settings: setup,
      frozenGroups: learn.model.frozenGroups,
      iterations: history.iterations,
      epochs: history.epochs.length,
      history: history.toJSON(),
      warnings,
      cleaner: edits,
      snapshots: st.learner!.snapshots?.map((m) => m.epoch),
    };
  } catch (e) {
    undoSplit();
    if (ds) ds.edits = oldEdits;
    disposeLearner(st); // whatever the failed import built
    st.learner = old;
    throw e;
  }
}

export const exportHandlers: Handlers<
  'exportModel' | 'importSession' | 'sessionCaptures' | 'learnForward'
> = {
  exportModel: (args, st) => exportModel(sessionToExport(st), st.data.current, args),
  importSession: (args, st) => importSession(st, new Uint8Array(args.bytes), args.name),
  sessionCaptures: (args) => readCaptures(new Uint8Array(args.bytes), args.name),
  learnForward: (args, st) => learnForward(sessionToExport(st), args),
};
