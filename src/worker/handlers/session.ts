// The Learner session's commands (src/learn/session.ts) and the run's controls: stop, pause,
// the reliability tests' faults and the worker's memory.
import { armDebugFault, memStats } from '../../reliability/faults';
import { fit, lrFind } from '../../reliability/recovery';
import { freezeLearner, learnState, sessionOf, setupLearner, ttaCmd } from '../../learn/session';
import { ensembleCmd } from '../../learn/ensembleSession';
import { timeSteps } from '../../learn/stepTiming';
import { autosave } from '../../reliability/autosave';
import type { Handlers } from './types';

export const sessionHandlers: Handlers<
  | 'setupLearner'
  | 'fit'
  | 'lrFind'
  | 'estimateStep'
  | 'tta'
  | 'ensemble'
  | 'learnState'
  | 'freezeLearner'
  | 'stop'
  | 'pause'
  | 'debugFault'
  | 'memStats'
> = {
  setupLearner: (args, st, emit) =>
    setupLearner(st, args, (message) => emit({ type: 'status', message })),
  fit(args, st, emit) {
    Object.assign(st.control, { stopRequested: false, paused: false });
    // Every epoch end: the session into IndexedDB, for a reloaded tab (src/page/store/restore.ts).
    return fit(st, args, emit, (snap) => autosave(st.learner, st.data, snap));
  },
  lrFind: (args, st, emit) => lrFind(st, args, emit),
  estimateStep: (args, st) => timeSteps(sessionOf(st).learn, args),
  tta: (args, st) => ttaCmd(st, args),
  ensemble: (_, st) => ensembleCmd(st),
  learnState: (_, st) => learnState(st),
  freezeLearner: (args, st) => freezeLearner(st, args),
  stop(_, st) {
    st.control.stopRequested = true;
    return { stopping: true };
  },
  pause(args, st) {
    st.control.paused = args.paused;
    return { paused: st.control.paused };
  },
  debugFault: (args, st) => armDebugFault(st.faults, args),
  memStats: () => memStats(),
};
