// Main-thread side of the worker protocol: `call` returns the typed reply, `onEvent` streams
// the worker's events. Nothing here does tensor work.
import type {
  ArgsOf,
  CommandName,
  FromWorker,
  ResultOf,
  ToWorker,
  WorkerEvent,
} from '../../shared/protocol';

export class WorkerCallError extends Error {
  constructor(
    message: string,
    readonly noWebGPU = false,
  ) {
    super(message);
  }
}

export class WorkerClient {
  private worker: Worker;
  private nextId = 1;
  private pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  private listeners = new Set<(e: WorkerEvent) => void>();

  constructor() {
    this.worker = new Worker(new URL('../../worker/worker.ts', import.meta.url), {
      type: 'module',
    });
    this.worker.onmessage = (e: MessageEvent<FromWorker>) => this.receive(e.data);
    this.worker.onerror = (e) => {
      for (const p of this.pending.values()) p.reject(new Error(`worker crashed: ${e.message}`));
      this.pending.clear();
    };
  }

  call<K extends CommandName>(name: K, args: ArgsOf<K>): Promise<ResultOf<K>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, name, args } as ToWorker);
    });
  }

  onEvent(listener: (e: WorkerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private receive(msg: FromWorker) {
    if (msg.kind === 'event') {
      for (const l of this.listeners) l(msg.event);
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.kind === 'reply') p.resolve(msg.result);
    else p.reject(new WorkerCallError(msg.message, msg.noWebGPU));
  }
}
