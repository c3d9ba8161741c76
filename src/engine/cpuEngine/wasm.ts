// The forward-only CPU engine: tfjs's wasm backend (XNNPACK, SIMD) next to webgpu in the worker.
// Where the WebGPU adapter is a CPU emulator (SwiftShader) it runs a ResNet forward about 10x
// faster than our WGSL kernels do there. It cannot train convnets (tfjs-wasm has no
// Conv2DBackpropFilter), so only forward-only phases use it (choose.ts).
// tfjs's backend is global and tensors do not move cheaply between backends: a phase switches
// to wasm, works on CPU arrays in and out, disposes its wasm tensors and switches back (onWasm).
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// Vite serves these from node_modules in dev and copies them into dist/assets on build.
import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { WasmInfo } from '../../shared/engines';
import { registeredTuner } from '../kernels/register';

// The package registers 'wasm' above 'cpu': being async to start, it would then become tfjs's
// default wherever no backend was set yet, and the first op would throw. It is chosen explicitly.
const wasmFactory = tf.findBackendFactory('wasm');
if (wasmFactory) {
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', wasmFactory, 0);
}

let started: Promise<WasmInfo> | undefined;

/** Loads the wasm backend once (SIMD required; threads only when the page is cross-origin
 * isolated, which tfjs checks itself through SharedArrayBuffer). Never throws: `ok` says. */
export function startWasm(): Promise<WasmInfo> {
  started ??= bringUp();
  return started;
}

async function bringUp(): Promise<WasmInfo> {
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  const info = { ok: false, simd: !!simd, threads: !!threads };
  if (!simd) return { ...info, error: 'this browser has no WebAssembly SIMD' };
  const main = tf.getBackend();
  try {
    // In Node (the unit tests) tfjs reads the binaries from node_modules itself. tfjs wants an
    // entry for each binary; the plain one is never fetched: SIMD is required (checked above).
    if (tf.env().platformName === 'browser')
      setWasmPaths({
        'tfjs-backend-wasm.wasm': simdUrl,
        'tfjs-backend-wasm-simd.wasm': simdUrl,
        'tfjs-backend-wasm-threaded-simd.wasm': threadedUrl,
      });
    if (!(await tf.setBackend('wasm'))) return { ...info, error: 'tfjs could not start wasm' };
    return { ...info, ok: true };
  } catch (e) {
    return { ...info, error: e instanceof Error ? e.message : String(e) };
  } finally {
    if (main) await tf.setBackend(main);
  }
}

/**
 * Switches tfjs's global backend to wasm; returns the function that switches back. Every tensor
 * made in between lives on wasm: the phase returns CPU data and disposes its tensors.
 */
export async function enterWasm(): Promise<() => Promise<void>> {
  const info = await startWasm();
  if (!info.ok) throw new Error(`the wasm engine is not available: ${info.error}`);
  const main = tf.getBackend();
  // The kernel tuner times webgpu kernels in the background on the global backend.
  await registeredTuner()?.idle();
  await tf.setBackend('wasm');
  return async () => void (await tf.setBackend(main));
}

/** Runs `fn` on the wasm backend (enterWasm) and switches back, error or not. */
export async function onWasm<T>(fn: () => Promise<T>): Promise<T> {
  const exit = await enterWasm();
  try {
    return await fn();
  } finally {
    await exit();
  }
}
