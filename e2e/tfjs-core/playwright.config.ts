// `npm run test:tfjs-core`: the tfjs-core op-test spec alone, without the studio build that the
// main config's globalSetup does (this page is its own small Vite build, e2e/tfjs-core/).
import { defineConfig } from '@playwright/test';
import base from '../../playwright.config';

// This command runs every spec file; the main e2e run takes a fast subset.
process.env.TFJS_CORE_FILES ??= 'all';

export default defineConfig({
  ...base,
  testDir: '..',
  testMatch: 'tfjs-core.spec.ts',
  globalSetup: undefined,
});
