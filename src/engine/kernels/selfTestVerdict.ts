// The kernel self-test's pure parts and its cache: which kernels a run refuses, and where the
// verdict is kept (next to the autotune choices, per adapter, so later starts skip the run).
import { createStore, get, set } from 'idb-keyval';
import type { AdapterInfo, SelfTestFailure, SelfTestVerdict } from '../../shared/protocol';

/**
 * Max relative error a kernel may show vs the CPU backend. The kernel check holds ours to 1e-4
 * on SwiftShader; other adapters round differently (FMA, reduction order), while the failures
 * this catches (zeroed gradients, wrong tiles, garbage) are off by O(1).
 */
export const SELF_TEST_TOLERANCE = 1e-3;

/** What the per-adapter caches (autotune choices, self-test verdict) are keyed by. */
export const adapterKey = (a?: AdapterInfo) =>
  a ? `${a.vendor}|${a.architecture}|${a.description}` : 'unknown';

/** The verdict's key: the adapter and the kernels' build (changed kernels are tested again). */
export const selfTestKey = (a: AdapterInfo | undefined, kernelsHash: string) =>
  `selftest-v1:${kernelsHash}:${adapterKey(a)}`;

/** One checked output of a self-test case: the kernel that made it (null: not ours) and its error. */
export interface SelfTestOutput {
  kernel: string | null;
  case: string;
  maxRelError: number;
}

/** The kernels to route to stock: each one's worst output over the tolerance (NaN fails), in
 * the order of `kernels`. */
export function failedKernels(
  outputs: SelfTestOutput[],
  kernels: readonly string[],
  tol = SELF_TEST_TOLERANCE,
): SelfTestFailure[] {
  const worst = new Map<string, SelfTestOutput>();
  for (const o of outputs) {
    if (o.kernel === null) continue;
    const w = worst.get(o.kernel);
    if (!w || !(o.maxRelError <= w.maxRelError)) worst.set(o.kernel, o);
  }
  return kernels.flatMap((k) => {
    const w = worst.get(k);
    return w && !(w.maxRelError <= tol)
      ? [{ kernel: k, case: w.case, maxRelError: w.maxRelError }]
      : [];
  });
}

/** The kernels of `kernels` no output checked (the cases must cover every kernel). */
export const uncheckedKernels = (outputs: SelfTestOutput[], kernels: readonly string[]) =>
  kernels.filter((k) => !outputs.some((o) => o.kernel === k));

// The autotuner's IndexedDB store (autotune.ts): one place per adapter for both caches.
const store = () => createStore('studio-autotune', 'choices');

/** The cached verdict, or undefined (none, or no IndexedDB: private mode, node). */
export async function loadVerdict(key: string): Promise<SelfTestVerdict | undefined> {
  try {
    const v = (await get(key, store())) as SelfTestVerdict | undefined;
    const ok = v && Array.isArray(v.kernels) && Array.isArray(v.failed);
    return ok && v.failed.every((f) => typeof f?.kernel === 'string') ? v : undefined;
  } catch {
    return undefined;
  }
}

export async function saveVerdict(key: string, v: SelfTestVerdict): Promise<void> {
  try {
    await set(key, v, store());
  } catch {
    // Best effort: without IndexedDB the test runs again at the next start.
  }
}
