// Which engine runs each forward-only phase (src/engine/cpuEngine/): the worker's report of
// its choice, and the one line the Train panel shows for it.

export type EngineName = 'webgpu' | 'wasm';
/** The forward-only phases that may run on the wasm engine. */
export type ForwardPhase = 'precompute' | 'validate' | 'predict' | 'interpret';

/** tfjs's wasm backend in this worker: loaded at all, with SIMD, with threads. */
export interface WasmInfo {
  ok: boolean;
  simd: boolean;
  threads: boolean;
  /** Why it is not available (ok false). */
  error?: string;
}

/** A phase's engine; `ms`: one timed forward per engine when the choice was measured. */
export interface EngineChoice {
  phase: ForwardPhase;
  /** webgl only as the fallback engine without WebGPU (src/engine/fallback.ts). */
  engine: EngineName | 'webgl';
  /** Why: 'timed' (this adapter, once), 'cached' (timed earlier), 'gpu' (a hardware adapter),
   * 'no-wasm' (the wasm engine did not load), 'no-webgpu' (the fallback engine runs everything). */
  reason: 'timed' | 'cached' | 'gpu' | 'no-wasm' | 'no-webgpu';
  ms?: Record<EngineName, number>;
}

/** `bench-engines`: one eval forward of a zoo ResNet on each engine (worker/diagnostics). */
export interface BenchEnginesArgs {
  arch: string;
  size: number;
  bs: number;
}
export interface BenchEnginesResult extends BenchEnginesArgs {
  wasm: WasmInfo;
  ms: { webgpu: number; wasm: number };
  /** webgpu ms / wasm ms: how many times faster wasm is. */
  ratio: number;
}

export type EngineEvent = { type: 'engine' } & EngineChoice;

/** "precompute: wasm (9.8x faster than webgpu) · interpret: wasm" */
export function engineLine(choices: EngineChoice[]): string {
  return choices
    .map(({ phase, engine, ms }) => {
      const other = engine === 'wasm' ? 'webgpu' : 'wasm';
      const ratio = ms && engine !== 'webgl' && ms[engine] > 0 ? ms[other] / ms[engine] : 0;
      return `${phase}: ${engine}${ratio ? ` (${ratio.toFixed(1)}x faster than ${other})` : ''}`;
    })
    .join(' · ');
}
