import { defineConfig } from '@playwright/test';
import { launchOptions } from './scripts/browser';

// One worker: SwiftShader WebGPU runs on the CPU, and CI has two cores.
export default defineConfig({
  testDir: './e2e',
  workers: 1,
  fullyParallel: false,
  timeout: 5 * 60_000,
  expect: { timeout: 60_000 },
  reporter: process.env.CI ? [['list']] : [['list']],
  globalSetup: './e2e/global-setup.ts',
  use: {
    launchOptions: launchOptions(),
    viewport: { width: 1280, height: 800 },
    trace: 'off',
    screenshot: 'off',
  },
});
