// The export CLI-bridge commands (spread into src/page/cli/bridge.ts). Files can be large (a
// ResNet-50 session is hundreds of MB), so `export` keeps them in the page and returns a listing;
// the CLI (scripts/cliExport.ts) then pulls each file in base64 chunks with `export-chunk`.
//   export --format safetensors|tfjs|session|script|page|all [--f16] [--ensemble]  -> [{name, size}]
//     (--f16, --ensemble: the page's weights as f16; the session's snapshot ensemble in the page)
//   export-chunk --name N --offset O --length L            -> base64 of bytes [O, O+L)
//   import-session --input '#selector' | --base64 B64      -> ImportSessionResult (no history)
import type { CliArgs } from './bridge';
import { pixelArgs } from './models';
import { useStudio } from '../store/studio';
import type { ExportFile } from '../store/trainSlice';
import type { ExportFormat } from '../../shared/formats';

let held: ExportFile[] = [];

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

async function sessionBytes(a: CliArgs): Promise<ArrayBuffer> {
  if (typeof a.base64 === 'string')
    return Uint8Array.from(atob(a.base64), (c) => c.charCodeAt(0)).buffer;
  const input = document.querySelector<HTMLInputElement>(String(a.input ?? '#session-input'));
  const file = input?.files?.[0];
  if (!file) throw new Error(`import-session: no file in ${String(a.input ?? '#session-input')}`);
  return file.arrayBuffer();
}

/** Holds the files for `export-chunk`; returns their listing. */
export async function holdExport(format: ExportFormat | 'all', f16 = false, ensemble = false) {
  if (ensemble && format !== 'page' && format !== 'all')
    throw new Error(
      `export --ensemble: only the one-file page holds an ensemble (got --format ${format})`,
    );
  held = await useStudio.getState().exportFiles(format, { f16, ensemble });
  return held.map((f) => ({ name: f.name, size: f.bytes.byteLength }));
}

export const exportCommands: Record<string, (args: CliArgs) => Promise<unknown>> = {
  async export(a) {
    if (a.input !== undefined || a.base64 !== undefined)
      await useStudio.getState().importSession(await sessionBytes(a));
    const format = String(a.format ?? 'all') as ExportFormat | 'all';
    return holdExport(format, a.f16 === true, a.ensemble === true);
  },
  async 'export-chunk'(a) {
    const f = held.find((x) => x.name === a.name);
    if (!f) throw new Error(`export-chunk: no exported file '${String(a.name)}'`);
    const offset = Number(a.offset ?? 0);
    const length = Number(a.length ?? f.bytes.byteLength);
    return toBase64(new Uint8Array(f.bytes, offset, Math.min(length, f.bytes.byteLength - offset)));
  },
  async 'import-session'(a) {
    const r = await useStudio.getState().importSession(await sessionBytes(a));
    const { history, ...rest } = r;
    return { ...rest, lastIter: history.batches.length - 1, fits: history.fits.length };
  },
  // Eval probabilities of the session's model on [0,1] RGB pixels: `learn-forward --input [...] --shape [n,h,w,3]`.
  async 'learn-forward'(a) {
    return useStudio.getState().diagnose('learnForward', pixelArgs(a, 'learn-forward'));
  },
};
