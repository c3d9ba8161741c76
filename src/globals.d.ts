/** Injected by vite.config.ts `define`. */
declare const __TFJS_WEBGPU_VERSION__: string;
/** Hash of the Studio kernels' sources (vite.config.ts): a new build re-runs the self-test. */
declare const __STUDIO_KERNELS_HASH__: string;
