// A model's eval forward on the wasm engine, from one CPU read of its weights. The model's own
// forward code runs unchanged: forwards read their weights from the model's Maps (PyTorch
// state-dict keys), so for the length of one synchronous call those Maps point at wasm copies.
// Being synchronous, no other code (a message handler, the kernel tuner) can see the swap.
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../../models/model';
import { fromCpu, toCpu } from './transfer';

type Maps = Map<string, tf.Variable>[];

/** Every Map a forward may read: the model's, its body's and its head's (withHead keeps them apart). */
function weightMaps(model: Model): Maps {
  const owners = [model, model.body, model.head] as (
    { params?: Map<string, tf.Variable>; buffers?: Map<string, tf.Variable> } | undefined
  )[];
  const maps = owners.flatMap((o) => [o?.params, o?.buffers]).filter((m) => m !== undefined);
  return [...new Set(maps)];
}

/** Runs `fn` with every weight in `maps` replaced by its copy in `copies`, restored after. */
function swapped<T>(maps: Maps, copies: Map<tf.Variable, tf.Variable>, fn: () => T): T {
  const saved = maps.map((m) => new Map(m));
  try {
    for (const m of maps) for (const [k, v] of m) m.set(k, copies.get(v)!);
    return fn();
  } finally {
    maps.forEach((m, i) => saved[i].forEach((v, k) => m.set(k, v)));
  }
}

/**
 * The model's eval-mode forward on the current backend (wasm, inside onWasm): weights read once
 * (one `data()` per variable) and copied; `forward` takes and returns tensors of this backend.
 * Dispose it (inside onWasm too) to free the copies.
 */
export async function mirrorModel(model: Model): Promise<Model> {
  const maps = weightMaps(model);
  const vars = [...new Set(maps.flatMap((m) => [...m.values()]))];
  const values = await Promise.all(vars.map(toCpu));
  const copies = new Map<tf.Variable, tf.Variable>();
  try {
    vars.forEach((v, i) =>
      copies.set(
        v,
        tf.tidy(() => tf.variable(fromCpu(values[i]), false)),
      ),
    );
  } catch (e) {
    copies.forEach((c) => c.dispose());
    throw e;
  }
  const run = <T>(fn: () => T) => swapped(maps, copies, fn);
  // (A hand-made body may have no Maps of its own: its forward reads the model's.)
  const copy = (m: Map<string, tf.Variable> = new Map()) =>
    new Map([...m].map(([k, v]) => [k, copies.get(v)!]));
  const { body, head } = model;
  return {
    ...model,
    params: copy(model.params),
    buffers: copy(model.buffers),
    body: body && {
      ...body,
      params: copy(body.params),
      buffers: copy(body.buffers),
      forward: (x) => run(() => body.forward(x, false)),
    },
    head: head && { forward: (f) => run(() => head.forward(f, false)) },
    forward: (x) => run(() => model.forward(x, { training: false })),
    dispose: () => copies.forEach((c) => c.dispose()),
  };
}
