// The Interpret panel on the Learner session's model (src/learn/interpretSession.ts, predict.ts,
// cleaner.ts).
import { cleanerEdits, cleanerLosses } from '../../learn/cleaner';
import { gradcamCmd, interpret } from '../../learn/interpretSession';
import { predictLearner } from '../../learn/predict';
import type { Handlers } from './types';

export const interpretHandlers: Handlers<
  'interpret' | 'gradcam' | 'predictLearner' | 'cleanerLosses' | 'cleanerEdits'
> = {
  interpret: (args, st) => interpret(st, args),
  gradcam: (args, st) => gradcamCmd(st, args),
  predictLearner: (args, st) => predictLearner(st, args),
  cleanerLosses: (args, st) => cleanerLosses(st, args.split),
  cleanerEdits: (args, st) => cleanerEdits(st, args.edits),
};
