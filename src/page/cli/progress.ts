// What a long CLI command is doing, read-only, for scripts/cli.ts's progress lines on stderr:
// the phase the command says it is in, and the Train panel's batch records and epoch rows.
import { flushWorkerEvents } from '../store/client';
import { useStudio } from '../store/studio';

/** Set by the command running (the bridge sets the command's name, `train` refines it). */
export const cliPhase = { name: '' };

/** `since`: epoch rows already printed, so two epochs ending within one poll both show. */
export function cliProgress(since = 0) {
  flushWorkerEvents(); // the last epoch's row may still wait in the event queue
  const s = useStudio.getState();
  return {
    phase: cliPhase.name,
    running: s.trainStatus === 'running',
    last: s.trainBatches.at(-1),
    nEpochs: s.trainEpochs.length,
    epochs: s.trainEpochs.slice(since).map(({ numTensors: _n, ...row }) => row),
  };
}
export type CliProgress = ReturnType<typeof cliProgress>;
