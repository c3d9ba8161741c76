// WebGPU bring-up: the engine owns the adapter and device and hands the device to tfjs,
// so it can watch `device.lost` and choose the features and limits itself.
import * as tf from '@tensorflow/tfjs';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { AdapterInfo } from '../shared/protocol';

export class NoWebGPUError extends Error {}

export interface Engine {
  adapter: GPUAdapter;
  device: GPUDevice;
  info: AdapterInfo;
}

let current: Engine | undefined;
let starting: Promise<Engine> | undefined;
let lastOnLost: ((reason: string) => void) | undefined;
/** How many devices were lost so far: a run compares it to notice a loss (src/reliability/recovery.ts). */
export let deviceLostCount = 0;

function describe(adapter: GPUAdapter): AdapterInfo {
  const i = adapter.info;
  const l = adapter.limits;
  return {
    vendor: i.vendor,
    architecture: i.architecture,
    description: i.description,
    isFallbackAdapter: (i as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false,
    shaderF16: adapter.features.has('shader-f16'),
    subgroups: adapter.features.has('subgroups'),
    features: [...adapter.features].sort(),
    limits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
    },
  };
}

/**
 * Requests adapter + device and makes them tfjs's `webgpu` backend. Idempotent. The kernels are
 * the caller's business (kernels/register.ts): tfjs's kernel registry outlives a backend.
 */
export async function startEngine(onLost?: (reason: string) => void): Promise<Engine> {
  if (current) return current;
  // One bring-up at a time (a recovering run and a UI `info` may both ask for a new device);
  // a device made after a loss reports its own loss to the last listener given.
  onLost ??= lastOnLost;
  lastOnLost = onLost;
  starting ??= bringUp(onLost).finally(() => (starting = undefined));
  return starting;
}

async function bringUp(onLost?: (reason: string) => void): Promise<Engine> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) throw new NoWebGPUError('navigator.gpu is missing: this browser has no WebGPU.');
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new NoWebGPUError('WebGPU is present but no GPU adapter is available.');
  // 'subgroups' is newer than @webgpu/types' feature-name union.
  const wanted = ['shader-f16', 'subgroups', 'timestamp-query'] as GPUFeatureName[];
  const requiredFeatures = wanted.filter((f) => adapter.features.has(f));
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    requiredFeatures,
    requiredLimits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
    },
  });
  const engine: Engine = { adapter, device, info: describe(adapter) };
  device.lost.then((lost) => {
    if (current === engine) current = undefined;
    deviceLostCount++;
    onLost?.(`${lost.reason}: ${lost.message}`);
  });
  // Replace the backend factory registered by the package import with one on our device.
  // findBackendFactory, not findBackend: the import's factory exists before any backend instance.
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new WebGPUBackend(device, adapter.info));
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs could not start its webgpu backend.');
  await tf.ready();
  current = engine;
  return engine;
}

export function currentEngine(): Engine | undefined {
  return current;
}
