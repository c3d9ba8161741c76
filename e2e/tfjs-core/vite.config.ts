// Build of the tfjs-core op-test page (e2e/tfjs-core.spec.ts): a separate tiny app, never part
// of the studio bundle. It bundles tfjs-core's own jasmine specs from node_modules.
import { defineConfig, type Plugin } from 'vite';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// tfjs-core's package.json lists its side-effect files, and the *_test.js specs are not on it:
// without this the bundler drops them as unused imports (their describe() calls are the point).
function keepSpecs(): Plugin {
  return {
    name: 'keep-tfjs-core-specs',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (!/_test(\.js)?$/.test(source) && !source.includes('jasmine_util')) return null;
      const r = await this.resolve(source, importer, { ...options, skipSelf: true });
      return r && { ...r, moduleSideEffects: true };
    },
  };
}

export default defineConfig({
  root: here('.'),
  plugins: [keepSpecs()],
  logLevel: 'warn',
  resolve: {
    alias: [
      {
        find: /^jasmine-core\/lib\/jasmine-core\/jasmine\.js$/,
        replacement: here('./jasmine-shim.cjs'),
      },
    ],
  },
  define: {
    __TFJS_WEBGPU_VERSION__: JSON.stringify(
      require('@tensorflow/tfjs-backend-webgpu/package.json').version,
    ),
  },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 8000, emptyOutDir: true },
});
