/** Injected by vite.config.ts `define`. */
declare const __TFJS_WEBGPU_VERSION__: string;
/** The one-file page's script, bundled by scripts/onefileRuntime.ts. */
declare module 'virtual:onefile-runtime' {
  const runtime: string;
  export default runtime;
}
/** Hash of the Studio kernels' sources (vite.config.ts): a new build re-runs the self-test. */
declare const __STUDIO_KERNELS_HASH__: string;
