// Without WebGPU the worker runs tfjs on wasm (or WebGL): the panels stay usable and this says
// what is slower and what is not there (src/engine/fallback.ts refuses those commands).
import { useStudio } from '../store/studio';

const NAMES = { wasm: 'WebAssembly (tfjs-wasm)', webgl: 'WebGL (tfjs-webgl)' };

export function FallbackBanner() {
  const info = useStudio((s) => s.info);
  if (!info || info.engine === 'webgpu') return null;
  return (
    <section className="card notices" role="status" data-testid="fallback-banner">
      <h2>No WebGPU: Studio runs on {NAMES[info.engine]}, on the CPU</h2>
      <p>
        <b>Works, slower:</b> import, the ImageNet “what does it see”, prediction, interpretation
        (Grad-CAM included), session import and export, the LR finder and training with the body
        frozen: best on precomputed body features (tick <b>precompute</b>, then fit_one_cycle, fit
        or fit_sgdr). Everything runs on the CPU, several times slower than on a GPU.
      </p>
      <p>
        <b>Unavailable:</b> fine_tune and unfreezing (training the body), the demo (it trains a
        convnet from scratch), the Studio WGSL kernels, kernel check and benchmarks. Those need
        Chrome or Edge with WebGPU.
      </p>
      <p className="muted">Why: {info.noWebGPU}</p>
    </section>
  );
}
