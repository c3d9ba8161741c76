// A WebGPU adapter for the engine choice in Node (src/engine/cpuEngine/choose.ts reads it from
// engine/device.ts). In a test file:
//   vi.mock('../../src/engine/device', async (orig) => (await import('../engine/fakeAdapter')).deviceMock(orig));
//   gpu.info = SWIFTSHADER; // or HARDWARE, or undefined (no adapter: the main backend, untimed)
import type * as device from '../../src/engine/device';

export const gpu = { info: undefined as object | undefined };

export const deviceMock = async (orig: () => Promise<typeof device>) => ({
  ...(await orig()),
  currentEngine: () => gpu.info && { info: gpu.info },
});

export const HARDWARE = {
  vendor: 'nvidia',
  architecture: 'ampere',
  description: '',
  isFallbackAdapter: false,
};
export const SWIFTSHADER = {
  vendor: 'google',
  architecture: 'swiftshader',
  description: '',
  isFallbackAdapter: true,
};

/** idb-keyval as the engine choice reads it: every phase already timed on this adapter, wasm
 * 9x faster (so a test of the wasm path does not hang on a timing race on a loaded machine):
 *   vi.mock('idb-keyval', async () => (await import('../engine/fakeAdapter')).idbWasmTimed()); */
export const idbWasmTimed = () => ({
  createStore: () => ({}),
  get: async () => new Proxy({}, { get: () => ({ engine: 'wasm', ms: { webgpu: 9, wasm: 1 } }) }),
  set: async () => {},
});
