// Which engine runs a forward-only phase (body precompute, validation, prediction,
// interpretation). On a hardware adapter: webgpu, untimed. On an adapter that emulates a GPU on
// the CPU (SwiftShader, llvmpipe, WARP), one forward of one image of the phase's size is timed
// on each engine (after a warm-up one), once per adapter, phase, model and image shape, and the
// faster one is remembered in IndexedDB (idb-keyval), as the kernel autotune remembers its
// variants (kernels/autotune.ts). One image, not a whole batch: a batch of 64 ResNet50 images
// at 224 px takes ~9 min on SwiftShader, and per-image costs keep their order (~9x apart).
import * as tf from '@tensorflow/tfjs';
import { createStore, get, set, type UseStore } from 'idb-keyval';
import type { EngineChoice, EngineName, ForwardPhase } from '../../shared/engines';
import type { Model } from '../../models/model';
import type { AdapterInfo } from '../../shared/protocol';
import { currentEngine } from '../device';
import { fallbackEngine } from '../fallback';
import { registeredTuner } from '../kernels/register';
import { mirrorModel } from './mirror';
import { enterWasm, onWasm, startWasm } from './wasm';

export interface PhaseSpec {
  phase: ForwardPhase;
  model: Model;
  /** Input batch shape, NHWC. */
  shape: readonly number[];
  /** Only the body runs (precompute). */
  body?: boolean;
}

type Adapter = Pick<AdapterInfo, 'vendor' | 'architecture' | 'description' | 'isFallbackAdapter'>;

/** A CPU pretending to be a GPU: the wasm engine may beat it. */
export const emulated = (a: Adapter) =>
  a.isFallbackAdapter || /swiftshader|llvmpipe|lavapipe|warp/i.test(a.architecture + a.description);

let listener: ((c: EngineChoice) => void) | undefined;
/** The worker reports every choice (an `engine` event for the Train panel). */
export function onEngineChoice(l: (c: EngineChoice) => void): void {
  listener = l;
}

type Timed = { engine: EngineName; ms: Record<EngineName, number> };
const memo = new Map<string, Timed>();
let idb: UseStore | undefined;

async function remembered(adapterKey: string, key: string): Promise<Timed | undefined> {
  if (memo.has(adapterKey + key)) return memo.get(adapterKey + key);
  try {
    idb ??= createStore('studio-engines', 'choices');
    return ((await get(adapterKey, idb)) as Record<string, Timed> | undefined)?.[key];
  } catch {
    return undefined; // no IndexedDB (Node, private mode): time per session
  }
}

async function remember(adapterKey: string, key: string, t: Timed) {
  memo.set(adapterKey + key, t);
  try {
    if (idb) await set(adapterKey, { ...((await get(adapterKey, idb)) ?? {}), [key]: t }, idb);
  } catch {
    // best effort
  }
}

/** Wall ms of one eval forward of `n` images of the phase's size, inputs made on the CPU. */
async function forwardMs(m: Model, spec: PhaseSpec, n: number): Promise<number> {
  const shape = [n, ...spec.shape.slice(1)];
  const x = Float32Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => (i % 251) / 251);
  const t0 = performance.now();
  const y = tf.tidy(() => {
    const xt = tf.tensor4d(x, shape as [number, number, number, number]);
    return spec.body ? m.body!.forward(xt, false) : m.forward(xt, { training: false });
  });
  await y.data();
  y.dispose();
  return performance.now() - t0;
}

/** Images per timed forward when choosing (see the top of the file). */
const TIMED_IMAGES = 1;

/** One image first (shader compile, XNNPACK weight packing), then the timed `n` images. */
async function timeOn(m: Model, spec: PhaseSpec, n: number) {
  await forwardMs(m, spec, 1);
  return forwardMs(m, spec, n);
}

/** One warm-up image, then one timed forward of `n` images (default: the whole batch), on
 * webgpu (default kernel variants) and on wasm. */
export async function timeEngines(
  spec: PhaseSpec,
  n = spec.shape[0],
): Promise<Record<EngineName, number>> {
  // The kernel tuner would time every conv shape of this forward in the background (minutes
  // on SwiftShader): the default variants are close enough to choose an engine.
  const tuner = registeredTuner();
  const tuning = tuner?.isEnabled() ?? false;
  tuner?.setEnabled(false);
  let webgpu: number;
  try {
    webgpu = await timeOn(spec.model, spec, n);
  } finally {
    tuner?.setEnabled(tuning);
  }
  const wasm = await onWasm(async () => {
    const m = await mirrorModel(spec.model);
    try {
      return await timeOn(m, spec, n);
    } finally {
      m.dispose();
    }
  });
  return { webgpu, wasm };
}

/** The engine for a phase; `adapter` defaults to the worker's WebGPU adapter. */
export async function chooseEngine(
  spec: PhaseSpec,
  adapter: Adapter | undefined = currentEngine()?.info,
): Promise<EngineChoice> {
  const { phase } = spec;
  const fallback = fallbackEngine();
  if (fallback) return { phase, engine: fallback.backend, reason: 'no-webgpu' };
  if (!adapter || !emulated(adapter)) return { phase, engine: 'webgpu', reason: 'gpu' };
  if (!(await startWasm()).ok) return { phase, engine: 'webgpu', reason: 'no-wasm' };
  const adapterKey = `engines-v1:${adapter.vendor}|${adapter.architecture}|${adapter.description}`;
  const image = spec.shape.slice(1).join('x');
  const key = `${phase}|${spec.model.arch}|${spec.body ? 'body' : 'model'}|${image}`;
  const known = await remembered(adapterKey, key);
  if (known) return { phase, ...known, reason: 'cached' };
  const ms = await timeEngines(spec, Math.min(spec.shape[0], TIMED_IMAGES));
  const timed: Timed = { engine: ms.wasm < ms.webgpu ? 'wasm' : 'webgpu', ms };
  await remember(adapterKey, key, timed);
  return { phase, ...timed, reason: 'timed' };
}

/** The phase runs on the main backend: webgpu, or the fallback engine without WebGPU. */
const inPlace = (c: EngineChoice) => c.engine !== 'wasm' || tf.getBackend() === 'wasm';

/**
 * Runs a forward-only phase on the engine chosen for it. `fn` gets the model to call in eval
 * mode: the model itself (webgpu), or its wasm mirror with tfjs's backend switched to wasm, so
 * every tensor `fn` makes is a wasm tensor: it returns CPU data and disposes what it makes.
 */
export async function runPhase<T>(spec: PhaseSpec, fn: (m: Model) => Promise<T>): Promise<T> {
  const choice = await chooseEngine(spec);
  listener?.(choice);
  if (inPlace(choice)) return fn(spec.model);
  return onWasm(async () => {
    const m = await mirrorModel(spec.model);
    try {
      return await fn(m);
    } finally {
      m.dispose();
    }
  });
}

/**
 * runPhase for a loop another module drives (the Learner's validation): yields the batches of
 * `batches()`, made on the chosen engine, while `setModel` has been given the model to call; the
 * model, its wasm copy and the backend are restored however the loop ends (done, break, throw).
 */
export async function* phaseBatches<B>(
  spec: PhaseSpec,
  batches: () => AsyncIterable<B>,
  setModel: (m: Model) => void,
): AsyncGenerator<B> {
  const choice = await chooseEngine(spec);
  listener?.(choice);
  if (inPlace(choice)) return yield* batches();
  const exit = await enterWasm();
  let m: Model | undefined;
  try {
    m = await mirrorModel(spec.model);
    setModel(m);
    yield* batches();
  } finally {
    setModel(spec.model);
    m?.dispose();
    await exit();
  }
}
