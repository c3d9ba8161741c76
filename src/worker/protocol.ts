// The one typed contract between the page and the training worker. Commands go in (each with
// an id and a reply), events come out (progress, metrics, status). Add a command by adding an
// entry to `Commands` and a handler in worker.ts; the compiler checks both ends.
import type { AdapterInfo } from '../engine/device';

export interface WorkerInfo {
  adapter: AdapterInfo;
  backend: string;
  versions: { tfjs: string; tfjsBackendWebgpu: string };
}

export interface DemoTrainArgs {
  steps: number;
  batchSize: number;
  lr: number;
  size: number;
  seed: number;
}

export interface DemoTrainResult {
  losses: number[];
  accuracy: number;
  stopped: boolean;
  seconds: number;
}

export interface Commands {
  info: { args: Record<string, never>; result: WorkerInfo };
  trainDemo: { args: DemoTrainArgs; result: DemoTrainResult };
  stop: { args: Record<string, never>; result: { stopping: boolean } };
}

export type CommandName = keyof Commands;
export type ArgsOf<K extends CommandName> = Commands[K]['args'];
export type ResultOf<K extends CommandName> = Commands[K]['result'];

export type ToWorker = { [K in CommandName]: { id: number; name: K; args: ArgsOf<K> } }[CommandName];

export type WorkerEvent =
  | { type: 'batch'; step: number; of: number; loss: number; lr: number }
  | { type: 'status'; message: string }
  | { type: 'deviceLost'; reason: string };

export type FromWorker =
  | { kind: 'reply'; id: number; result: unknown }
  | { kind: 'error'; id: number; message: string; noWebGPU?: boolean }
  | { kind: 'event'; event: WorkerEvent };
