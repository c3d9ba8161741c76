// The training worker: owns tfjs, the WebGPU device, models, optimizers and image caches.
// Each command of protocol.ts has one handler here; handlers are async and yield between
// batches, so a `stop` can arrive while a run is going.
import * as tf from '@tensorflow/tfjs';
import { NoWebGPUError, startEngine } from '../engine/device';
import { trainDemo } from '../learn/demo';
import type { ArgsOf, CommandName, FromWorker, ResultOf, ToWorker, WorkerEvent } from './protocol';

const post = (msg: FromWorker) => (self as unknown as Worker).postMessage(msg);
export const emit = (event: WorkerEvent) => post({ kind: 'event', event });

/** Cooperative cancellation: long-running handlers poll this between batches. */
export const control = { stopRequested: false };

const engine = () => startEngine((reason) => emit({ type: 'deviceLost', reason }));

type Handlers = { [K in CommandName]: (args: ArgsOf<K>) => Promise<ResultOf<K>> };

const handlers: Handlers = {
  async info() {
    const e = await engine();
    return {
      adapter: e.info,
      backend: tf.getBackend(),
      versions: { tfjs: tf.version.tfjs, tfjsBackendWebgpu: __TFJS_WEBGPU_VERSION__ },
    };
  },
  async trainDemo(args) {
    await engine();
    control.stopRequested = false;
    return trainDemo(args, emit, () => control.stopRequested);
  },
  async stop() {
    control.stopRequested = true;
    return { stopping: true };
  },
};

self.onmessage = async (e: MessageEvent<ToWorker>) => {
  const { id, name, args } = e.data;
  try {
    const handler = handlers[name] as (a: typeof args) => Promise<unknown>;
    post({ kind: 'reply', id, result: await handler(args) });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    post({ kind: 'error', id, message, noWebGPU: err instanceof NoWebGPUError });
  }
};
