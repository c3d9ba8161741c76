// A Snapshot: the Learner's state copied to the CPU (weights and BN buffers, optimizer state,
// history) with one GPU read per tensor. The fit's checkpoint (src/reliability/recovery.ts), the
// epoch-end autosave and the session archive (src/export/sessionIO.ts) all use the same one,
// so an epoch end reads the GPU once.
import * as tf from '@tensorflow/tfjs';
import { fromCpu, toCpu, type CpuTensor } from '../engine/cpuEngine/transfer';
import type { Model } from '../models/model';
import type { HistoryData } from '../shared/protocol';
import { historyOf } from './history';
import type { Learner } from './learner';
import type { Hypers, State } from './optimizer';

export type CpuState = Record<string, CpuTensor | number | boolean | undefined>;

export interface Snapshot {
  /** Params and buffers by key. */
  weights: Map<string, CpuTensor>;
  opt?: { state: [string, CpuState][]; hypers: Hypers[] };
  history: HistoryData;
}

export async function weightsToCpu(model: Model): Promise<Map<string, CpuTensor>> {
  const out = new Map<string, CpuTensor>();
  for (const [k, v] of [...model.params, ...model.buffers]) out.set(k, await toCpu(v));
  return out;
}

export async function takeSnapshot(learn: Learner): Promise<Snapshot> {
  let opt: Snapshot['opt'];
  if (learn.opt) {
    const state: [string, CpuState][] = [];
    for (const [k, s] of learn.opt.state) {
      const c: CpuState = {};
      for (const [name, v] of Object.entries(s))
        c[name] = v instanceof tf.Tensor ? await toCpu(v) : v;
      state.push([k, c]);
    }
    opt = { state, hypers: learn.opt.hypers.map((h) => ({ ...h })) };
  }
  return {
    weights: await weightsToCpu(learn.model),
    opt,
    history: structuredClone(historyOf(learn).toJSON()),
  };
}

/** Loads CPU weights into a (new) model with the same keys and shapes. */
export function loadCpuWeights(model: Model, w: Map<string, CpuTensor>) {
  for (const [k, c] of w) {
    const v = model.params.get(k) ?? model.buffers.get(k);
    if (!v) throw new Error(`checkpoint has '${k}', the rebuilt model does not`);
    tf.tidy(() => v.assign(fromCpu(c)));
  }
}

export function restoreOpt(learn: Learner, o: NonNullable<Snapshot['opt']>) {
  if (!learn.opt) learn.createOpt();
  const state = new Map<string, State>(
    o.state.map(([k, s]) => [
      k,
      Object.fromEntries(
        Object.entries(s).map(([n, v]) => [
          n,
          typeof v === 'object' && v !== null ? fromCpu(v) : v,
        ]),
      ) as State,
    ]),
  );
  learn.opt!.restore({ state, hypers: o.hypers.map((h) => ({ ...h })) });
}

/** FNV-1a over the bytes of `tensors`: equal iff bit-identical (the learnState check). */
export async function fingerprint(tensors: tf.Tensor[]): Promise<string> {
  let h = 0x811c9dc5;
  for (const t of tensors) {
    const { data } = await toCpu(t);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
