// Per-adapter autotuning of the Studio GEMM kernels: for each kernel family (matmul, conv
// forward, backprop-input, backprop-filter) and shape class, a few variants are timed once on
// the user's adapter and the fastest is remembered in IndexedDB (idb-keyval), keyed by the
// adapter's vendor/architecture/description. Variants are program parameters: the workgroup
// shape of the register-tiled GEMM (8x8, 16x4, 4x16, 16x16 threads of 4x4 outputs each), for
// matmul and the three conv kernels also 4x8 outputs per thread (`tileN`, read by the kernel via
// `tunedTileN()`),
// and, where tfjs has one, the stock workgroup-memory tiled kernel (on a real GPU it may win;
// on SwiftShader barriers are slow).
//
// Kernel functions must return synchronously, so a new shape class runs the default variant
// and is queued; the queue is timed in the background (`autotuneIdle()` waits for it) with
// fresh random inputs of the same shapes, round-robin over the variants, best of 2 runs.
// `setAutotune(false)` turns it all off (every call runs the default variant).
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { createStore, get, set, type UseStore } from 'idb-keyval';
import { currentEngine } from '../device';

export interface Variant {
  name: string;
  /** Run the stock tfjs kernel instead of ours. */
  stock?: boolean;
  /** Threads per workgroup along N (x) and M (y); each thread computes a 4x4 tile. */
  wg?: [number, number];
  /** Outputs per thread along N when not 4 (a different program: the kernel reads it). */
  tileN?: 8;
}

const WG_VARIANTS: Variant[] = [
  { name: 'reg4x4-wg8x8', wg: [8, 8] },
  { name: 'reg4x4-wg16x4', wg: [16, 4] },
  { name: 'reg4x4-wg4x16', wg: [4, 16] },
  { name: 'reg4x4-wg16x16', wg: [16, 16] },
];
const STOCK: Variant = { name: 'stock-tiled', stock: true };
// 4x8 tiles: twice the columns per thread share each A load and index step.
const WIDE_VARIANTS: Variant[] = [
  { name: 'reg4x8-wg8x8', wg: [8, 8], tileN: 8 },
  { name: 'reg4x8-wg16x4', wg: [16, 4], tileN: 8 },
  { name: 'reg4x8-wg4x16', wg: [4, 16], tileN: 8 },
];

/** Variants per tfjs kernel name; the first is the default. */
const FAMILIES: Record<string, Variant[]> = {
  BatchMatMul: [...WG_VARIANTS, ...WIDE_VARIANTS, STOCK],
  _FusedMatMul: [...WG_VARIANTS, ...WIDE_VARIANTS, STOCK],
  Conv2D: [...WG_VARIANTS, ...WIDE_VARIANTS, STOCK],
  FusedConv2D: [...WG_VARIANTS, ...WIDE_VARIANTS, STOCK],
  Conv2DBackpropInput: [...WG_VARIANTS, ...WIDE_VARIANTS, STOCK],
  // Stock backprop-filter is a naive loop (one thread per filter element): never a contender.
  Conv2DBackpropFilter: [...WG_VARIANTS, ...WIDE_VARIANTS],
};

/** Timed runs per variant (round-robin, best kept), after one compile/warm-up run. */
const ROUNDS = 3;

/**
 * Calls estimated below this many flops are not tuned: ~0.1 s on SwiftShader, where a better
 * variant pays for its tuning within a few steps; tests and tiny nets never tune. The benchmark
 * lowers it to tune every ResNet layer.
 */
export const DEFAULT_MIN_FLOPS = 1e8;
let minFlops = DEFAULT_MIN_FLOPS;

let enabled = true;
/** Turns autotuning on or off (off = every call runs the default variant); optional threshold. */
export function setAutotune(on: boolean, minFlopsToTune?: number): void {
  enabled = on;
  if (minFlopsToTune !== undefined) minFlops = minFlopsToTune;
}

interface Pending {
  name: string;
  cls: string;
  inputs: Record<string, { shape: number[]; dtype: tf.DataType }>;
  attrs: Record<string, unknown>;
}

/** shape class -> chosen variant name, for this adapter. */
let choices: Record<string, string> = {};
let loaded: Promise<void> | undefined;
let idb: UseStore | undefined;
const pending = new Map<string, Pending>();
let running: Promise<void> | undefined;
/** Set while the tuner times one variant: overrides the choice for every call. */
let forced: Variant | undefined;
/** Timing log of the last tuning runs (for the benchmark report). */
const log: { cls: string; ms: Record<string, number>; chosen: string }[] = [];

function adapterKey(): string {
  const i = currentEngine()?.info;
  return `autotune-v2:${i ? `${i.vendor}|${i.architecture}|${i.description}` : 'unknown'}`;
}

function load(): Promise<void> {
  loaded ??= (async () => {
    try {
      idb ??= createStore('studio-autotune', 'choices');
      choices = { ...((await get(adapterKey(), idb)) ?? {}), ...choices };
    } catch {
      // No IndexedDB (private mode, node): tune per session only.
    }
  })();
  return loaded;
}

async function save(): Promise<void> {
  try {
    if (idb) await set(adapterKey(), choices, idb);
  } catch {
    // Best effort.
  }
}

/** GEMM dims from the uniforms every Studio GEMM program starts with (dimM, dimN, dimK). */
function gemmDims(uniforms: unknown): { M: number; N: number; K: number } | null {
  const u = uniforms as { type: string; data: number[] }[] | undefined;
  if (!u || u.length < 3 || u[0].type !== 'int32' || u[1].type !== 'int32') return null;
  return { M: u[0].data[0], N: u[1].data[0], K: u[2].data[0] };
}

/** Rewrites a GEMM program's workgroup shape (and dispatch) if it has the expected layout. */
function applyWorkgroup(program: WebGPUProgram, uniforms: unknown, wg: [number, number]): void {
  const d = gemmDims(uniforms);
  const p = program as WebGPUProgram & { dispatch: [number, number, number] };
  if (!d || !p.workgroupSize || !p.dispatch) return;
  const [wx, wy] = p.workgroupSize;
  const tn = (program as { tileN?: number }).tileN ?? 4;
  // Only programs laid out as GemmProgram does (4 x tileN per thread, N along x, M along y).
  if (
    p.dispatch[0] !== Math.ceil(d.N / (tn * wx)) ||
    p.dispatch[1] !== Math.ceil(d.M / (4 * wy)) ||
    (wx === wg[0] && wy === wg[1])
  )
    return;
  p.workgroupSize = [wg[0], wg[1], 1];
  p.dispatch = [Math.ceil(d.N / (tn * wg[0])), Math.ceil(d.M / (4 * wg[1])), p.dispatch[2]];
}

type KernelArgs = {
  inputs: Record<string, tf.TensorInfo | undefined>;
  backend: WebGPUBackend;
  attrs: Record<string, unknown>;
};

const size = (t: tf.TensorInfo | undefined) => (t ? tf.util.sizeFromShape(t.shape) : 0);

/** Rough useful flops of one call, from shapes alone (stride ignored: an upper bound). */
function flopsOf(name: string, args: KernelArgs): number {
  const { inputs: i, attrs } = args;
  if (name.includes('MatMul')) {
    const [a, b] = [i.a, i.b];
    if (!a || !b) return 0;
    const r = a.shape.length;
    const k = attrs.transposeA ? a.shape[r - 2] : a.shape[r - 1];
    return (
      (2 * size(a) * size(b)) / Math.max(1, k) / Math.max(1, b.shape.length > 2 ? b.shape[0] : 1)
    );
  }
  const filter = i.filter
    ? size(i.filter)
    : tf.util.sizeFromShape((attrs.filterShape as number[]) ?? [0]);
  const act = i.dy ?? i.x;
  if (!act) return 0;
  const pixels = size(act) / act.shape[act.shape.length - 1];
  return 2 * pixels * filter;
}

function shapeClass(name: string, args: KernelArgs): string {
  const ins = Object.entries(args.inputs).filter(([, t]) => t) as [string, tf.TensorInfo][];
  const a = args.attrs;
  // Exact shapes: a ResNet has a few dozen; cheap to remember, no aliasing between them.
  return `${name}|${ins.map(([k, t]) => `${k}${t.shape.join('x')}`).join(',')}|s${JSON.stringify(a.strides ?? '')}|p${JSON.stringify(a.pad ?? '')}|t${+!!a.transposeA}${+!!a.transposeB}`;
}

/**
 * Runs a Studio kernel function under the chosen variant for its shape class. Returns null to
 * hand the call to the stock kernel. Called from register.ts for every overridden kernel.
 */
export function runTuned(
  name: string,
  args: KernelArgs,
  fn: (args: KernelArgs) => tf.TensorInfo | null,
): tf.TensorInfo | null {
  const variants = FAMILIES[name];
  if (!variants || (!enabled && !forced)) return fn(args);
  let v = forced;
  if (!v) {
    const cls = shapeClass(name, args);
    const chosen = choices[cls];
    v = variants.find((x) => x.name === chosen) ?? variants[0];
    if (chosen === undefined && flopsOf(name, args) >= minFlops && !pending.has(cls)) {
      pending.set(cls, {
        name,
        cls,
        inputs: Object.fromEntries(
          Object.entries(args.inputs)
            .filter(([, t]) => t)
            .map(([k, t]) => [k, { shape: [...t!.shape], dtype: t!.dtype }]),
        ),
        attrs: { ...args.attrs },
      });
      running ??= new Promise<void>((r) => setTimeout(r, 0))
        .then(tunePending)
        .finally(() => (running = undefined));
    }
  }
  if (v.stock) return null;
  if (!v.wg || (v.wg[0] === 8 && v.wg[1] === 8)) return withTileN(name, v, () => fn(args));
  const wg = v.wg;
  const backend = args.backend;
  // The kernel function builds its program as usual; the workgroup shape is swapped on the way
  // to the backend (pipelines are cached per workgroup size by tfjs's shader key).
  const proxy = Object.create(backend) as WebGPUBackend;
  proxy.runWebGPUProgram = (program, inputs, dtype, uniforms, output) => {
    applyWorkgroup(program, uniforms, wg);
    return backend.runWebGPUProgram(program, inputs, dtype, uniforms, output);
  };
  return withTileN(name, v, () => fn({ ...args, backend: proxy }));
}

/** Runs every tuned kernel under the named variant (undefined: back to the tuned choices); for checks. */
export function forceVariant(name: string | undefined): void {
  forced =
    name === undefined
      ? undefined
      : Object.values(FAMILIES)
          .flat()
          .find((v) => v.name === name);
  if (name !== undefined && !forced) throw new Error(`no autotune variant '${name}'`);
}

let activeTileN = 4;
/** Outputs per thread along N of the variant being run (kernels with wide variants read it). */
export function tunedTileN(): number {
  return activeTileN;
}
/** Calls per `kernel:variant` that ran a wide (tileN 8) variant, for the kernel check. */
export const wideVariantCalls: Record<string, number> = {};
function withTileN<T>(name: string, v: Variant, run: () => T): T {
  activeTileN = v.tileN ?? 4;
  if (v.tileN)
    wideVariantCalls[`${name}:${v.name}`] = (wideVariantCalls[`${name}:${v.name}`] ?? 0) + 1;
  try {
    return run();
  } finally {
    activeTileN = 4;
  }
}

/** Enqueues the kernel under variant `v` and waits for its result; returns wall ms. */
async function runOnce(p: Pending, v: Variant, inputs: tf.NamedTensorMap): Promise<number> {
  const t0 = performance.now();
  forced = v; // only while the kernel is enqueued: other work may interleave while we wait
  let out: tf.Tensor;
  try {
    out = tf.engine().runKernel(p.name, inputs, p.attrs as tf.NamedAttrMap) as tf.Tensor;
  } finally {
    forced = undefined;
  }
  await out.data();
  out.dispose();
  return performance.now() - t0;
}

/** Per variant: compile + warm once, then ROUNDS round-robin timings, best of each. */
async function timeVariants(p: Pending): Promise<Record<string, number>> {
  const inputs = tf.tidy(() =>
    Object.fromEntries(
      Object.entries(p.inputs).map(([k, s]) => [k, tf.randomUniform(s.shape, -1, 1, s.dtype, 1)]),
    ),
  );
  const ms: Record<string, number> = {};
  const variants = FAMILIES[p.name];
  try {
    for (const v of variants) {
      try {
        await runOnce(p, v, inputs);
        ms[v.name] = Infinity;
      } catch {
        // a variant that fails to compile or run is never chosen
      }
    }
    for (let round = 0; round < ROUNDS; round++)
      for (const v of variants)
        if (v.name in ms) ms[v.name] = Math.min(ms[v.name], await runOnce(p, v, inputs));
  } finally {
    tf.dispose(Object.values(inputs));
  }
  return ms;
}

async function tunePending(): Promise<void> {
  await load();
  while (pending.size > 0) {
    const [cls, p] = pending.entries().next().value as [string, Pending];
    pending.delete(cls);
    if (choices[cls] !== undefined || !enabled) continue;
    const ms = await timeVariants(p);
    const def = FAMILIES[p.name][0].name;
    const [best, bestMs] = Object.entries(ms).sort((a, b) => a[1] - b[1])[0] ?? [def, 0];
    // The default keeps its place unless another variant is clearly (>5%) faster: each time is
    // the best of ROUNDS round-robin runs, and same-tile variants land within ~2% of each other
    // (a 4x8 tile's ~8% gain at 1024³ was lost to a 10% margin).
    const chosen = bestMs < (ms[def] ?? Infinity) * 0.95 ? best : def;
    choices[cls] = chosen;
    log.push({ cls, ms, chosen });
    await save();
  }
}

/** Resolves when every queued shape class has been timed. */
export async function autotuneIdle(): Promise<void> {
  while (running) await running;
}

/** The choices made on this adapter (loaded + tuned) and the timings of this session's tuning. */
export function autotuneReport() {
  return { adapter: adapterKey(), choices: { ...choices }, log: [...log] };
}
