// Engine CLI-bridge commands (spread into src/page/cli/bridge.ts).
import type { CliArgs } from './bridge';
import { useStudio } from '../store/studio';

export const engineCommands: Record<string, (args: CliArgs) => Promise<unknown>> = {
  // `bench-engines [--arch resnet50] [--size 128] [--bs 16]`: one eval forward on webgpu (our
  // kernels) vs tfjs's wasm engine, same session (src/worker/diagnostics/benchEngines.ts).
  async 'bench-engines'(a) {
    return useStudio.getState().diagnose('benchEngines', {
      arch: String(a.arch ?? 'resnet50'),
      size: Number(a.size ?? 128),
      bs: Number(a.bs ?? 16),
    });
  },
};
