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
