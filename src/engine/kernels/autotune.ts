// Per-adapter autotuning of the Studio GEMM kernels: for each kernel family (matmul, conv
// forward, backprop-input, backprop-filter) and shape class, a few variants are timed once on
// the user's adapter and the fastest is remembered in IndexedDB (idb-keyval), keyed by the
// adapter's vendor/architecture/description. A variant is a value handed to a program's
// constructor (gemm.ts GemmVariant, part of its shaderKey): the workgroup shape of the
// register-tiled GEMM (8x8, 16x4, 4x16, 16x16 threads), 4x4 or 4x8 outputs per thread, or, where
// tfjs has one, the stock workgroup-memory tiled kernel (on a real GPU it may win; on SwiftShader
// barriers are slow). The tuner only picks: no program is changed after it is built.
//
// Kernel functions must return synchronously, so a new shape class runs the default variant
// and is queued; the queue is timed in the background (`idle()` waits for it) with fresh random
// inputs of the same shapes, round-robin over the variants, best of ROUNDS runs.
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { createStore, get, set, type UseStore } from 'idb-keyval';
import type { AutotuneReport } from '../../shared/protocol';
import { DEFAULT_VARIANT, type GemmVariant } from './gemm';

export interface Variant extends GemmVariant {
  name: string;
  /** Run the stock tfjs kernel instead of ours. */
  stock?: boolean;
}

const WG_VARIANTS: Variant[] = [
  { name: 'reg4x4-wg8x8', ...DEFAULT_VARIANT },
  { name: 'reg4x4-wg16x4', wg: [16, 4], tileN: 4 },
  { name: 'reg4x4-wg4x16', wg: [4, 16], tileN: 4 },
  { name: 'reg4x4-wg16x16', wg: [16, 16], tileN: 4 },
];
const STOCK: Variant = { name: 'stock-tiled', stock: true, ...DEFAULT_VARIANT };
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

/** What kernels outside the tuned families run (their programs take no variant). */
const UNTUNED: Variant = WG_VARIANTS[0];

/** Timed runs per variant (round-robin, best kept), after one compile/warm-up run. */
const ROUNDS = 3;

/**
 * Tuning time per page session on an adapter that emulates a GPU on the CPU (SwiftShader): each
 * ResNet50 shape class there takes 10-20 s to time, a whole recipe's classes 10-20 min, more
 * than the recipe itself on a small folder; the rest are tuned in later sessions.
 */
export const SOFTWARE_TUNING_BUDGET_MS = 60_000;

/**
 * Calls estimated below this many flops are not tuned: ~0.1 s on SwiftShader, where a better
 * variant pays for its tuning within a few steps; tests and tiny nets never tune. The benchmark
 * lowers it to tune every ResNet layer.
 */
export const DEFAULT_MIN_FLOPS = 1e8;

export type KernelArgs = {
  inputs: Record<string, tf.TensorInfo | undefined>;
  backend: WebGPUBackend;
  attrs: Record<string, unknown>;
};

interface Pending {
  name: string;
  cls: string;
  inputs: Record<string, { shape: number[]; dtype: tf.DataType }>;
  attrs: Record<string, unknown>;
}

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

/** The chosen variant per shape class on one adapter, and the background tuning that fills it. */
export class Autotuner {
  /** shape class -> chosen variant name, for this adapter. */
  private choices: Record<string, string> = {};
  private loaded: Promise<void> | undefined;
  private idb: UseStore | undefined;
  private readonly pending = new Map<string, Pending>();
  private running: Promise<void> | undefined;
  /** Set by a check, or while the tuner times one variant: overrides the choice for every call. */
  private forced: Variant | undefined;
  private enabled = true;
  private minFlops = DEFAULT_MIN_FLOPS;
  /** Timing log of this session's tuning runs (for the benchmark report). */
  private readonly log: AutotuneReport['log'] = [];
  /** Calls per `kernel:variant` that ran a wide (tileN 8) variant, for the kernel check. */
  readonly wideVariantCalls: Record<string, number> = {};

  /** Wall ms this session's tuning has taken, against `budgetMs`. */
  private spentMs = 0;

  /** `adapterKey` names the adapter the choices are remembered for; `budgetMs` caps this
   * session's tuning (classes left over run the default and are tuned in a later session). */
  constructor(
    private readonly adapterKey: string,
    private budgetMs = Infinity,
  ) {}

  /** Benchmarks measure the tuned engine: they lift the budget (and put it back). */
  setBudget(ms: number): number {
    const old = this.budgetMs;
    this.budgetMs = ms;
    return old;
  }

  private get overBudget() {
    return this.spentMs >= this.budgetMs;
  }

  isEnabled(): boolean {
    return this.enabled;
  }

  /** Turns autotuning on or off (off = every call runs the default variant); optional threshold. */
  setEnabled(on: boolean, minFlopsToTune?: number): void {
    this.enabled = on;
    if (minFlopsToTune !== undefined) this.minFlops = minFlopsToTune;
  }

  /** Runs every tuned kernel under the named variant (undefined: back to the choices); for checks. */
  force(name: string | undefined): void {
    const v = Object.values(FAMILIES)
      .flat()
      .find((x) => x.name === name);
    if (name !== undefined && !v) throw new Error(`no autotune variant '${name}'`);
    this.forced = v;
  }

  /**
   * The variant to run kernel `name` under for these args: forced, chosen for its shape class,
   * or the default (queueing the shape class for tuning when it is big enough).
   */
  variantFor(name: string, args: KernelArgs): Variant {
    const variants = FAMILIES[name];
    if (!variants || (!this.enabled && !this.forced)) return UNTUNED;
    const v = this.forced ?? this.chosen(name, variants, args);
    if (v.tileN === 8) {
      const k = `${name}:${v.name}`;
      this.wideVariantCalls[k] = (this.wideVariantCalls[k] ?? 0) + 1;
    }
    return v;
  }

  private chosen(name: string, variants: Variant[], args: KernelArgs): Variant {
    const cls = shapeClass(name, args);
    const chosen = this.choices[cls];
    const wanted = chosen === undefined && !this.overBudget && !this.pending.has(cls);
    if (wanted && flopsOf(name, args) >= this.minFlops) {
      this.pending.set(cls, {
        name,
        cls,
        inputs: Object.fromEntries(
          Object.entries(args.inputs)
            .filter(([, t]) => t)
            .map(([k, t]) => [k, { shape: [...t!.shape], dtype: t!.dtype }]),
        ),
        attrs: { ...args.attrs },
      });
      this.running ??= new Promise<void>((r) => setTimeout(r, 0))
        .then(() => this.tunePending())
        .finally(() => (this.running = undefined));
    }
    return variants.find((x) => x.name === chosen) ?? variants[0];
  }

  /** Resolves when every queued shape class has been timed. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** The choices made on this adapter (loaded + tuned) and the timings of this session's tuning. */
  report(): AutotuneReport {
    return { adapter: this.adapterKey, choices: { ...this.choices }, log: [...this.log] };
  }

  private load(): Promise<void> {
    this.loaded ??= (async () => {
      try {
        this.idb ??= createStore('studio-autotune', 'choices');
        this.choices = { ...((await get(this.adapterKey, this.idb)) ?? {}), ...this.choices };
      } catch {
        // No IndexedDB (private mode, node): tune per session only.
      }
    })();
    return this.loaded;
  }

  private async save(): Promise<void> {
    try {
      if (this.idb) await set(this.adapterKey, this.choices, this.idb);
    } catch {
      // Best effort.
    }
  }

  /** Enqueues the kernel under variant `v` and waits for its result; returns wall ms. */
  private async runOnce(p: Pending, v: Variant, inputs: tf.NamedTensorMap): Promise<number> {
    const t0 = performance.now();
    this.forced = v; // only while the kernel is enqueued: other work may interleave while we wait
    let out: tf.Tensor;
    try {
      out = tf.engine().runKernel(p.name, inputs, p.attrs as tf.NamedAttrMap) as tf.Tensor;
    } finally {
      this.forced = undefined;
    }
    await out.data();
    out.dispose();
    return performance.now() - t0;
  }

  /** Per variant: compile + warm once, then ROUNDS round-robin timings, best of each. */
  private async timeVariants(p: Pending): Promise<Record<string, number>> {
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
          await this.runOnce(p, v, inputs);
          ms[v.name] = Infinity;
        } catch {
          // a variant that fails to compile or run is never chosen
        }
      }
      for (let round = 0; round < ROUNDS; round++)
        for (const v of variants)
          if (v.name in ms) ms[v.name] = Math.min(ms[v.name], await this.runOnce(p, v, inputs));
    } finally {
      tf.dispose(Object.values(inputs));
    }
    return ms;
  }

  private async tunePending(): Promise<void> {
    await this.load();
    while (this.pending.size > 0) {
      const [cls, p] = this.pending.entries().next().value as [string, Pending];
      this.pending.delete(cls);
      if (this.choices[cls] !== undefined || !this.enabled || this.overBudget) continue;
      const t0 = performance.now();
      const ms = await this.timeVariants(p);
      this.spentMs += performance.now() - t0;
      const def = FAMILIES[p.name][0].name;
      const [best, bestMs] = Object.entries(ms).sort((a, b) => a[1] - b[1])[0] ?? [def, 0];
      // The default keeps its place unless another variant is clearly (>5%) faster: each time
      // is the best of ROUNDS round-robin runs, and same-tile variants land within ~2% of each
      // other (a 4x8 tile's ~8% gain at 1024³ was lost to a 10% margin).
      const chosen = bestMs < (ms[def] ?? Infinity) * 0.95 ? best : def;
      this.choices[cls] = chosen;
      this.log.push({ cls, ms, chosen });
      await this.save();
    }
  }
}
