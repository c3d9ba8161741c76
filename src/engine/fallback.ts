// The engine without WebGPU (no navigator.gpu, or no adapter: Firefox, Safari, a blocklisted
// GPU): tfjs's wasm backend becomes the main one, or WebGL if wasm does not load. Every forward
// runs there (import, prediction, interpretation, precompute) and the frozen model trains (its
// head, best on cached body features, and BN params); conv weights cannot: tfjs-wasm has no
// Conv2DBackpropFilter (WebGL has, but trains a ResNet far too slowly to offer).
import * as tf from '@tensorflow/tfjs';
import type { ArgsOf, CommandName, FallbackName } from '../shared/protocol';
import { startWasm } from './cpuEngine/wasm';
import { NoWebGPUError } from './device';

export interface Fallback {
  backend: FallbackName;
  /** Why WebGPU is not used (NoWebGPUError's message). */
  reason: string;
}

let current: Fallback | undefined;

/** The fallback engine in use, if WebGPU did not start. */
export const fallbackEngine = (): Fallback | undefined => current;

/** Makes wasm (else webgl) tfjs's backend once; throws when neither starts. */
export async function startFallback(reason: string): Promise<Fallback> {
  if (current) return current;
  const wasm = await startWasm();
  if (wasm.ok && (await tf.setBackend('wasm'))) current = { backend: 'wasm', reason };
  else if (await tf.setBackend('webgl').catch(() => false)) current = { backend: 'webgl', reason };
  else
    throw new NoWebGPUError(`${reason} No fallback either: wasm (${wasm.error}) and webgl failed.`);
  await tf.ready();
  return current;
}

/** Commands that exist only for the WebGPU kernels (checks, benchmarks, the kernel switch), and
 * the parity run, which trains the body. */
const WEBGPU_ONLY = new Set<CommandName>([
  'kernelCheck',
  'kernelCheckBn',
  'setStudioKernels',
  'benchKernels',
  'benchEngines',
  'benchRecipe',
  'selfTest',
  'learnerParity',
]);

const BODY_NEEDS_WEBGPU =
  'needs WebGPU: without it only the head trains (and the BN params of the frozen body), ' +
  'best on precomputed body features (tick “precompute”; fit_one_cycle, fit or fit_sgdr).';

/** Why a command cannot run on the fallback engine (undefined: it can). Trainable conv weights
 * need Conv2DBackpropFilter, which tfjs-wasm lacks: fine_tune (it unfreezes) is refused, and so
 * are fits, lr_find and step timing on an unfrozen model (a precompute fit freezes it first). */
export function refusal(
  name: CommandName,
  args: unknown,
  bodyTrains: () => boolean,
): string | undefined {
  const on = current ? `on ${current.backend} (no WebGPU)` : '';
  if (WEBGPU_ONLY.has(name))
    return `${name} checks or times the WebGPU kernels: not available ${on}.`;
  if (name === 'fit') {
    const a = args as ArgsOf<'fit'>;
    if (a.policy === 'fine_tune') return `fine_tune unfreezes the body, which ${BODY_NEEDS_WEBGPU}`;
    if (a.precompute) return undefined;
  }
  if (name === 'estimateStep' && (args as ArgsOf<'estimateStep'>).unfrozen !== false)
    return `Timing an unfrozen step trains the body, which ${BODY_NEEDS_WEBGPU}`;
  if ((name === 'fit' || name === 'lrFind' || name === 'estimateStep') && bodyTrains())
    return `The model is unfrozen: training its body ${BODY_NEEDS_WEBGPU}`;
  return undefined;
}
