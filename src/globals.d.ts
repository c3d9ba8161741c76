/** Injected by vite.config.ts `define`. */
declare const __TFJS_WEBGPU_VERSION__: string;
