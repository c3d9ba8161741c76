// The offline app: a small hand-written service worker (no library needed for three handlers).
// The build (vite.config.ts, serviceWorker) fills BUILD with the built files and their hash,
// so every build is a new worker that precaches its own app shell and drops the previous one.
// The bundled models are not precached: the training worker keeps each model file in Cache
// Storage when it first fetches it (src/shared/cachedFetch.ts), so they stay out of this list.
const BUILD = { version: 'dev', shell: [] };
const PREFIX = 'studio-shell-';
const SHELL = PREFIX + BUILD.version;
const INDEX = new URL('index.html', self.location.href).href;
const shellUrls = new Set(BUILD.shell.map((f) => new URL(f, self.location.href).href));

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((cache) => cache.addAll([...shellUrls]))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys())
        if (key.startsWith(PREFIX) && key !== SHELL) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

// Pages: the network first (a new build shows at once), the cached shell when offline.
// Built files: the cache first (their names carry a content hash). Anything else: untouched.
self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  if (request.mode === 'navigate')
    event.respondWith(fetch(request).catch(() => fromShell(INDEX, request)));
  else if (shellUrls.has(request.url)) event.respondWith(fromShell(request.url, request));
});

async function fromShell(url, request) {
  const hit = await (await caches.open(SHELL)).match(url);
  return hit ?? fetch(request);
}
