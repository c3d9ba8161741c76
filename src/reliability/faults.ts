// Faults a fit recovers from, and the one-shot faults tests arm to cause them (debugFault):
// a lost GPU device and an out-of-memory batch. Plus the worker's memory, for the reliability
// specs' leak checks.
import * as tf from '@tensorflow/tfjs';
import type { DebugFaultArgs, MemStats } from '../shared/protocol';

export class DeviceLostError extends Error {}
export class GpuOomError extends Error {
  constructor(
    public bs: number,
    detail: string,
  ) {
    super(`out of GPU memory at batch size ${bs}: ${detail}`);
  }
}

export const OOM_RE = /out of memory|out-of-memory|\boom\b|failed to allocate|allocation failed/i;
export const LOST_RE = /device (is |was )?lost|device.*destroyed|instance dropped/i;

export const isOutOfMemory = (err: unknown) =>
  err instanceof GpuOomError || OOM_RE.test(err instanceof Error ? err.message : String(err));

/** Armed by the worker's debug command (kept in src/worker/state.ts); inert otherwise. The
 * device is destroyed after `destroyAfterIter` (one-shot); the next `oom.times` training steps
 * with a batch above `oom.aboveBs` fail as out of memory. */
export type DebugFaults = DebugFaultArgs;

export function armDebugFault(faults: DebugFaults, a: DebugFaultArgs): DebugFaultArgs {
  if (a.destroyAfterIter !== undefined) faults.destroyAfterIter = a.destroyAfterIter;
  if (a.oom) faults.oom = { ...a.oom };
  return { destroyAfterIter: faults.destroyAfterIter, oom: faults.oom };
}

export function memStats(): MemStats {
  const m = tf.memory() as tf.MemoryInfo & {
    numBytesInGPU?: number;
    numBytesAllocatedInGPU?: number;
  };
  const heap = (performance as { memory?: { usedJSHeapSize: number } }).memory;
  return {
    numTensors: m.numTensors,
    numBytes: m.numBytes,
    numBytesInGPU: m.numBytesInGPU,
    numBytesInGPUAllocated: m.numBytesAllocatedInGPU,
    jsHeapUsed: heap?.usedJSHeapSize,
  };
}
