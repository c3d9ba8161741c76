// Main-thread side of the worker protocol: `call` returns the typed reply, `onEvent` streams
// the worker's events. Nothing here does tensor work. The store's slices reach the worker only
// through `worker()`, the one client of the page.
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

let client: WorkerClient | undefined;
/** The page's one worker client, started on first use. */
export const worker = () => (client ??= new WorkerClient());

/** How often queued worker events reach the store: live enough for charts, cheap for React. */
export const EVENT_FLUSH_MS = 250;

let flushQueued = () => {};

/**
 * Applies the queued worker events now. Call it before resetting state that events fill (a new
 * fit's charts): a flush arriving after the reset would bring the previous run's records back.
 */
export const flushWorkerEvents = () => flushQueued();

/** Wires worker events into `apply` once, at startup, batched per EVENT_FLUSH_MS. */
export function connectEvents(apply: (events: WorkerEvent[]) => void) {
  let queue: WorkerEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const events = queue;
    queue = [];
    if (events.length) apply(events);
  };
  flushQueued = flush;
  return worker().onEvent((e) => {
    queue.push(e);
    timer ??= setTimeout(flush, EVENT_FLUSH_MS);
  });
}
