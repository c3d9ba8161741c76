// Reliability CLI-bridge commands (spread into src/page/cli/bridge.ts): test-only fault injection.
import type { CliArgs } from './bridge';
import { useStudio } from '../store/studio';
import { autosaveInfo, restoreAutosave } from '../store/restore';

export const reliabilityCommands: Record<string, (args: CliArgs) => Promise<unknown>> = {
  // `debug-fault [--destroy-after-iter N] [--oom-above-bs B --oom-times T]`: one-shot faults
  // the next fit meets (src/reliability/recovery.ts); nothing happens outside a fit.
  async 'debug-fault'(a) {
    const after = a['destroy-after-iter'];
    return useStudio.getState().diagnose('debugFault', {
      destroyAfterIter: after === undefined ? undefined : Number(after),
      oom:
        a['oom-above-bs'] === undefined
          ? undefined
          : { aboveBs: Number(a['oom-above-bs']), times: Number(a['oom-times'] ?? 1) },
    });
  },
  // `mem-stats`: the worker's tensors, GPU bytes and JS heap (scripts/benchLongRun.ts).
  async 'mem-stats'() {
    return useStudio.getState().diagnose('memStats', {});
  },
  // `autosave-info`: the session autosaved in IndexedDB (null if none).
  async 'autosave-info'() {
    return (await autosaveInfo()) ?? null;
  },
  // `restore-session`: what the banner's Restore button does.
  async 'restore-session'() {
    return restoreAutosave();
  },
};
