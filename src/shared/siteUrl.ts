// The built site works from any sub-path (vite.config.ts: base './'), so nothing may fetch an
// absolute path like `/models/...`: site files are resolved against the site's root here.

/**
 * The absolute URL of `path` (a file of the site: `models/...`) from the page or the worker.
 * The page's folder is the site root. A built worker script sits one folder below it, in
 * `assets/` (Vite's build.assetsDir); the dev server's base is absolute ('/') and needs no step.
 */
export function siteUrl(
  path: string,
  here: string = globalThis.location.href,
  inWorker: boolean = typeof document === 'undefined',
  base: string = import.meta.env.BASE_URL,
): string {
  const root = base.startsWith('/') ? base : inWorker ? `../${base}` : base;
  return new URL(path, new URL(root, here)).href;
}
