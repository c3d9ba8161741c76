// The kernel self-test at the engine's first start (worker.ts): the cached verdict for this
// adapter and kernel build if there is one, else a run (diagnostics/selfTest.ts, loaded only
// then) whose verdict is cached. Either way the kernels that failed are routed to stock tfjs.
// It never blocks the studio: if the run itself fails, every kernel stays ours and it says why.
import { breakStudioKernel, routeToStock, STUDIO_KERNEL_LIST } from '../engine/kernels/register';
import { loadVerdict, saveVerdict, selfTestKey } from '../engine/kernels/selfTestVerdict';
import type { AdapterInfo, SelfTestReport, WorkerEvent } from '../shared/protocol';

export interface SelfTestOptions {
  /** Ignore the cached verdict (the `selfTest` command). */
  force?: boolean;
  /** Test hook: zero this kernel's output first; the verdict is then not cached. */
  breakKernel?: string;
}

export async function startupSelfTest(
  adapter: AdapterInfo,
  emit: (e: WorkerEvent) => void,
  opts: SelfTestOptions = {},
): Promise<SelfTestReport> {
  const key = selfTestKey(adapter, __STUDIO_KERNELS_HASH__);
  const cached = opts.force ? undefined : await loadVerdict(key);
  let report: SelfTestReport;
  if (cached) report = { ...cached, cached: true };
  else {
    breakStudioKernel(opts.breakKernel); // throws on an unknown name before anything changed
    routeToStock([]); // a rerun checks every kernel of ours
    try {
      const { runSelfTest } = await import('./diagnostics/selfTest');
      const verdict = await runSelfTest();
      if (!opts.breakKernel) await saveVerdict(key, verdict);
      report = { ...verdict, cached: false, broken: opts.breakKernel };
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      report = { failed: [], kernels: [...STUDIO_KERNEL_LIST], ms: 0, cached: false, error };
    }
  }
  // Names this build does not know (a stale or edited cache entry) are ignored, never fatal.
  report.failed = report.failed.filter((f) => STUDIO_KERNEL_LIST.includes(f.kernel));
  routeToStock(report.failed.map((f) => f.kernel));
  for (const f of report.failed)
    emit({
      type: 'status',
      message: `kernel ${f.kernel} failed the self-test on this adapter (${f.case}); using stock tfjs`,
    });
  return report;
}
