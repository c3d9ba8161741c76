import { defineConfig } from 'vitest/config';
import { onefileRuntime } from './scripts/onefileRuntime.ts';

export default defineConfig({
  // The worker's exporters import the one-file page's bundled runtime (a virtual module).
  plugins: [onefileRuntime()],
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
});
