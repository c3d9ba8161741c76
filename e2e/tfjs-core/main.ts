// Runs tfjs-core's own jasmine op tests (shipped in the npm package's dist/) in the browser on
// the webgpu backend with the Studio kernels registered, and leaves the results on
// `window.tfjsCoreResults` for e2e/tfjs-core.spec.ts. Query parameters:
//   ?files=conv2d,mat_mul   which spec files (keys of SPEC_FILES; default: all)
//   ?grep=text              only specs whose full name contains text
//   ?stock=1                run against the stock tfjs-webgpu kernels (switch off) to compare
//   ?noexclude=1            also run the excluded specs (to see whether an exclusion still holds)
//   ?check=text             instead: the Studio kernel-check (src/worker/diagnostics/kernelCheck.ts) on the
//                           cases whose name contains text ('' = all), result on window.kernelCheck
import jasmineSource from 'jasmine-core/lib/jasmine-core/jasmine.js?raw';
import { EXCLUSIONS, exclusionFor } from './exclusions';

/** The spec files the issue names, by short key. */
const SPEC_FILES: Record<string, () => Promise<unknown>> = {
  conv2d: () => import('@tensorflow/tfjs-core/dist/ops/conv2d_test.js'),
  conv2d_transpose: () => import('@tensorflow/tfjs-core/dist/ops/conv2d_transpose_test.js'),
  fused_conv2d: () => import('@tensorflow/tfjs-core/dist/ops/fused/fused_conv2d_test.js'),
  mat_mul: () => import('@tensorflow/tfjs-core/dist/ops/mat_mul_test.js'),
  fused_mat_mul: () => import('@tensorflow/tfjs-core/dist/ops/fused/fused_mat_mul_test.js'),
  batchnorm: () => import('@tensorflow/tfjs-core/dist/ops/batchnorm_test.js'),
  moments: () => import('@tensorflow/tfjs-core/dist/ops/moments_test.js'),
};

export interface SpecResult {
  name: string;
  status: string; // passed | failed | excluded | pending
  messages: string[];
  ms: number;
  /** Why it is excluded (status 'excluded', or a failing spec that is on the list). */
  reason?: string;
}

export interface TfjsCoreRun {
  done: boolean;
  files: string[];
  stock: boolean;
  results: SpecResult[];
  /** Calls that ran our WGSL kernels vs fell back to the stock kernels, per tfjs kernel name. */
  kernelCalls?: Record<string, { ours: number; stock: number }>;
  gpuErrors: string[];
  error?: string;
  seconds: number;
}

declare global {
  interface Window {
    tfjsCoreResults?: TfjsCoreRun;
    kernelCheckResult?: unknown;
  }
}

/** The kernel-check without the studio app around it (quick iteration on kernels). */
async function check(only: string, seed: number): Promise<void> {
  const { startEngine } = await import('../../src/engine/device');
  const { kernelCheck } = await import('../../src/worker/diagnostics/kernelCheck');
  const { registerStudioKernels } = await import('../../src/engine/kernels/register');
  registerStudioKernels((await startEngine()).info);
  try {
    window.kernelCheckResult = await kernelCheck(seed, only || undefined);
  } catch (e) {
    window.kernelCheckResult = {
      error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e),
    };
  }
}

type JasmineRequire = {
  core(jr: JasmineRequire): JasmineCore;
  interface(j$: JasmineCore, env: JasmineEnv): Record<string, unknown>;
};
type JasmineCore = { getEnv(): JasmineEnv; DEFAULT_TIMEOUT_INTERVAL: number };
type JasmineEnv = {
  configure(c: Record<string, unknown>): void;
  addReporter(r: Record<string, (x: never) => void>): void;
  execute(): Promise<unknown>;
};
interface JasmineSpecDone {
  fullName: string;
  status: string;
  failedExpectations: { message: string }[];
  duration?: number | null;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const params = new URLSearchParams(location.search);
  if (params.has('check')) return check(params.get('check')!, Number(params.get('seed') ?? 3));
  const files = (params.get('files') ?? Object.keys(SPEC_FILES).join(',')).split(',');
  const grep = params.get('grep') ?? '';
  const stock = params.get('stock') === '1';
  const noExclude = params.get('noexclude') === '1';
  const run: TfjsCoreRun = { done: false, files, stock, results: [], gpuErrors: [], seconds: 0 };
  const status = document.getElementById('status')!;

  // jasmine-core as a classic script (indirect eval: its top-level `var`s become globals), then
  // jasmine's globals (describe, it, expect, ...) as boot0.js would install them.
  (0, eval)(jasmineSource);
  const jr = (globalThis as unknown as { jasmineRequire: JasmineRequire }).jasmineRequire;
  const j$ = jr.core(jr);
  const env = j$.getEnv();
  Object.assign(globalThis, jr.interface(j$, env));
  j$.DEFAULT_TIMEOUT_INTERVAL = 120_000;

  // The studio's own engine bring-up: our device, tfjs's webgpu backend, our kernels.
  const { startEngine } = await import('../../src/engine/device');
  const kernels = await import('../../src/engine/kernels/register');
  const engine = await startEngine();
  kernels.registerStudioKernels(engine.info);
  let current = '';
  engine.device.addEventListener('uncapturederror', (e) =>
    run.gpuErrors.push(`${current}: ${(e as GPUUncapturedErrorEvent).error.message.slice(0, 400)}`),
  );
  kernels.setStudioKernels(!stock);
  kernels.resetStudioKernelCalls();

  const ju = await import('@tensorflow/tfjs-core/dist/jasmine_util.js');
  ju.setTestEnvs([
    {
      name: 'webgpu',
      backendName: 'webgpu',
      flags: { WEBGPU_CPU_FORWARD: false },
      isDataSync: false,
    },
  ]);
  env.configure({
    random: false,
    specFilter: (spec: { getFullName(): string }) => {
      const name = spec.getFullName();
      if (grep && !name.includes(grep)) return false;
      const ex = exclusionFor(name);
      if (ex && ex.skip && !noExclude) {
        run.results.push({ name, status: 'excluded', messages: [], ms: 0, reason: ex.reason });
        return false;
      }
      return true;
    },
  });
  let n = 0;
  env.addReporter({
    specStarted: ((s: { fullName: string }) => {
      current = s.fullName;
      status.textContent = `running ${n + 1}: ${s.fullName}`;
    }) as (x: never) => void,
    specDone: ((s: JasmineSpecDone) => {
      n++;
      if (s.status === 'excluded') return; // filtered out (recorded above or not selected)
      const ex = exclusionFor(s.fullName);
      run.results.push({
        name: s.fullName,
        status: s.status,
        messages: s.failedExpectations.map((f) => f.message.slice(0, 600)),
        ms: s.duration ?? 0,
        ...(ex ? { reason: ex.reason } : {}),
      });
    }) as (x: never) => void,
  });

  for (const f of files) {
    const load = SPEC_FILES[f];
    if (!load) throw new Error(`unknown spec file '${f}' (have ${Object.keys(SPEC_FILES)})`);
    await load();
  }
  status.textContent = 'running…';
  await env.execute();
  run.kernelCalls = kernels.studioKernelCalls();
  run.seconds = (performance.now() - t0) / 1000;
  run.done = true;
  window.tfjsCoreResults = run;
  const failed = run.results.filter((r) => r.status === 'failed').length;
  status.textContent = `done: ${run.results.length} specs, ${failed} failed, ${EXCLUSIONS.length} exclusion rules`;
}

main().catch((e: unknown) => {
  window.tfjsCoreResults = {
    done: true,
    files: [],
    stock: false,
    results: [],
    gpuErrors: [],
    error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e),
    seconds: 0,
  };
});
