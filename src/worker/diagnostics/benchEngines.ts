// Benchmark (not a test): one eval forward of a zoo ResNet on webgpu (our kernels, default
// variants) and on the wasm engine, in the same session: `npm run cli -- bench-engines`.
import type { BenchEnginesArgs, BenchEnginesResult } from '../../shared/engines';
import { timeEngines } from '../../engine/cpuEngine/choose';
import { startWasm } from '../../engine/cpuEngine/wasm';
import { buildModel } from '../../models/zoo';

export async function benchEngines(a: BenchEnginesArgs): Promise<BenchEnginesResult> {
  const wasm = await startWasm();
  if (!wasm.ok) throw new Error(`bench-engines: the wasm engine did not load: ${wasm.error}`);
  const model = buildModel(a.arch, 1000, 0);
  try {
    const ms = await timeEngines({ phase: 'predict', model, shape: [a.bs, a.size, a.size, 3] });
    return { ...a, wasm, ms, ratio: ms.webgpu / ms.wasm };
  } finally {
    model.dispose();
  }
}
