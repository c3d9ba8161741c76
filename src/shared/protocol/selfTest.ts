// The kernel self-test (src/worker/selfTest.ts): at first start on an adapter every Studio kernel
// is checked against the tfjs CPU backend on a few small shapes; the verdict is cached per
// adapter and a kernel that disagrees runs on stock tfjs from then on.

export interface SelfTestFailure {
  /** tfjs kernel name (Conv2DBackpropFilter, ...) or StudioBatchNorm. */
  kernel: string;
  /** The case that showed it worst. */
  case: string;
  /** max |ours - cpu| / max(1, |cpu|) over that kernel's outputs (Infinity: NaN or it threw). */
  maxRelError: number;
}

export interface SelfTestVerdict {
  /** Kernels routed to stock tfjs on this adapter (empty: all ours). */
  failed: SelfTestFailure[];
  /** Every kernel the self-test checked. */
  kernels: string[];
  /** Wall time of the run that made the verdict. */
  ms: number;
}

export interface SelfTestReport extends SelfTestVerdict {
  /** The verdict came from the per-adapter cache: nothing ran at this start. */
  cached: boolean;
  /** Test hook only: the kernel deliberately zeroed for this run. */
  broken?: string;
  /** The self-test itself could not run (nothing routed, nothing cached). */
  error?: string;
}

export interface SelfTestArgs {
  /** Test hook (e2e/selftest.spec.ts): zero this kernel's output, then rerun the self-test. */
  breakKernel?: string;
}
