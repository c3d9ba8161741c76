// Vite plugin: `import runtime from 'virtual:onefile-runtime'` is the one-file page's script
// (src/export/onefile/page.ts and what it imports) bundled by esbuild into one minified IIFE
// string, at build time, so the export embeds it with no network and no second request.
import { build } from 'esbuild';
import { resolve } from 'node:path';
import type { Plugin } from 'vite';

const ID = 'virtual:onefile-runtime';
const ENTRY = resolve(import.meta.dirname, '../src/export/onefile/page.ts');

export function onefileRuntime(): Plugin {
  return {
    name: 'studio-onefile-runtime',
    resolveId: (id) => (id === ID ? `\0${ID}` : undefined),
    async load(id) {
      if (id !== `\0${ID}`) return undefined;
      const r = await build({
        entryPoints: [ENTRY],
        bundle: true,
        format: 'iife',
        minify: true,
        target: 'es2022',
        write: false,
        metafile: true,
      });
      for (const f of Object.keys(r.metafile.inputs)) this.addWatchFile(resolve(f));
      return `export default ${JSON.stringify(r.outputFiles[0].text)};`;
    },
  };
}
