// Engine CLI-bridge commands (spread into src/page/cli/bridge.ts).
import type { CliArgs } from './bridge';
import { useStudio } from '../store/studio';
import type { BenchRecipeArgs } from '../../shared/protocol';
import { cliPhase } from './progress';

/** `--sizes 128,224` -> [128, 224]; the worker checks the values (benchRecipe.ts). */
const list = (v: unknown) =>
  v === undefined || v === true ? undefined : String(v).split(',').filter(Boolean);

/** bench-recipe's flags; defaults: sizes 128 and 224, bs 16, no reference engines. */
export function recipeArgs(a: CliArgs): BenchRecipeArgs {
  return {
    sizes: (list(a.sizes) ?? ['128', '224']).map(Number),
    bs: Number(a.bs ?? 16),
    ref: list(a.ref) ?? [],
    refSizes: list(a['ref-sizes'])?.map(Number),
    quick: Boolean(a.quick),
  };
}

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
  // `bench-recipe [--sizes 128,224] [--bs 16] [--ref webgpu,webgl] [--ref-sizes 128] [--quick]`:
  // one profiled ResNet50 step per recipe phase (src/worker/diagnostics/benchRecipe.ts).
  // The worker's status lines name the step running: the CLI's progress line shows the last.
  async 'bench-recipe'(a) {
    const off = useStudio.subscribe((s) => {
      const last = s.log.at(-1);
      if (last?.startsWith('bench-recipe: ')) cliPhase.name = last.slice('bench-recipe: '.length);
    });
    try {
      return await useStudio.getState().diagnose('benchRecipe', recipeArgs(a));
    } finally {
      off();
    }
  },
};
