// The worker's only mutable roots, in one object the handlers are given (src/worker/worker.ts):
// modules under learn/, data/, models/, export/ and reliability/ receive the parts they need as
// parameters instead of keeping module singletons.
import { newDataState, type DataState } from '../data/importer';
import type { DebugFaults } from '../reliability/faults';
import type { LearnSession } from '../learn/session';
import type { ModelState } from '../models/session';

export interface WorkerState {
  /** The Learner session: set up, fitted, interpreted and exported across commands. */
  learner?: LearnSession;
  /** Staged files, decoded images and the imported dataset. */
  data: DataState;
  /** The Model panel's model (its body can start a Learner). */
  model: ModelState;
  /** Cooperative cancellation: a running fit polls these between batches. */
  control: { stopRequested: boolean; paused: boolean };
  /** One-shot faults armed by tests (debugFault), consumed by the next fit. */
  faults: DebugFaults;
  /** GPU devices lost so far: a fit that sees it change knows its device is gone. */
  deviceLost: number;
}

export const createWorkerState = (): WorkerState => ({
  data: newDataState(),
  model: {},
  control: { stopRequested: false, paused: false },
  faults: {},
  deviceLost: 0,
});
