// The house plan, checked: which folder may import which, and no circles between folders.
// A folder says which thread it runs on: page/ is the main thread, shared/ runs on either,
// everything else under src/ runs in the training worker. Run by `npm run lint`.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

export interface Import {
  from: string; // file, relative to src/
  to: string; // resolved file relative to src/, or the package name
  local: boolean;
  typeOnly: boolean;
}

const PAGE_PACKAGES = ['react', 'react-dom', 'zustand', 'recharts', 'idb-keyval', 'papaparse'];
const SHARED_PACKAGES = ['papaparse', 'idb-keyval'];

/** The top folder of a file under src/ ('page', 'shared', 'learn', ...). */
export const folderOf = (file: string) => file.split('/')[0];

// Static and dynamic imports. `new URL('../worker.ts', import.meta.url)` is not one: spawning
// the worker is the boundary itself.
const IMPORT_RE =
  /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every import of one source text; `file` is relative to src/. */
export function importsOf(file: string, text: string, exists: (f: string) => boolean): Import[] {
  const out: Import[] = [];
  for (const m of text.matchAll(IMPORT_RE)) {
    const spec = m[3] ?? m[4];
    const typeOnly = Boolean(m[2]);
    if (!spec.startsWith('.')) {
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      out.push({ from: file, to: pkg, local: false, typeOnly });
      continue;
    }
    const base = normalize(join(dirname(file), spec.split('?')[0]));
    const to = ['', '.ts', '.tsx', '/index.ts'].map((e) => base + e).find(exists) ?? base;
    out.push({ from: file, to, local: true, typeOnly });
  }
  return out;
}

/** The rules; each broken one is a line naming the file and the import. */
export function violations(imports: Import[]): string[] {
  const bad: string[] = [];
  const edges = new Map<string, Set<string>>();
  for (const { from, to, local, typeOnly } of imports) {
    const a = folderOf(from);
    const say = (why: string) => bad.push(`${from} imports ${to}: ${why}`);
    if (!local) {
      if (a === 'page' && !typeOnly && !PAGE_PACKAGES.includes(to))
        say('the page runs no tensor work; only UI packages are allowed there');
      if (a === 'shared' && !typeOnly && !SHARED_PACKAGES.includes(to))
        say('shared/ is pure code both threads load');
      continue;
    }
    const b = folderOf(to);
    if (to.startsWith('../shaders/')) {
      if (a !== 'engine') say('only the engine loads WGSL');
      continue;
    }
    if (to.startsWith('..')) say('outside src/');
    if (a === 'page' && b !== 'page' && b !== 'shared')
      say(
        'the page may import only page/ and shared/ (the worker is reached through the protocol)',
      );
    if (a === 'shared' && b !== 'shared') say('shared/ may import only shared/');
    if (a !== 'page' && b === 'page') say('worker-side code never imports the page');
    if (from === 'engine/device.ts' && to.startsWith('engine/kernels/'))
      say('the device knows no kernels (register.ts brings them)');
    if (a !== b && !typeOnly) {
      if (!edges.has(a)) edges.set(a, new Set());
      edges.get(a)!.add(b);
    }
  }
  for (const cycle of cycles(edges)) bad.push(`folder circle: ${cycle.join(' -> ')}`);
  return bad;
}

/** Each elementary circle found by a depth-first walk, as the folders along it. */
function cycles(edges: Map<string, Set<string>>): string[][] {
  const found: string[][] = [];
  const seen = new Set<string>();
  const walk = (node: string, path: string[]) => {
    const at = path.indexOf(node);
    if (at >= 0) {
      const c = [...path.slice(at), node];
      const key = [...c.slice(0, -1)].sort().join();
      if (!seen.has(key)) {
        seen.add(key);
        found.push(c);
      }
      return;
    }
    for (const next of edges.get(node) ?? []) walk(next, [...path, node]);
  };
  for (const start of edges.keys()) walk(start, []);
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return /\.(ts|tsx)$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

// Known breaks still being moved out, one per line; the list only shrinks (a fixed line must
// be deleted from it, so it cannot come back unseen).
const BASELINE = 'scripts/lint/imports-baseline.txt';

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = join(dirname(new URL(import.meta.url).pathname), '../..');
  const src = join(root, 'src');
  const files = sourceFiles(src).map((p) => relative(src, p));
  const have = new Set(files);
  const all = files.flatMap((f) =>
    importsOf(f, readFileSync(join(src, f), 'utf8'), (x) => have.has(x)),
  );
  const bad = violations(all);
  const known = new Set(readFileSync(join(root, BASELINE), 'utf8').split('\n').filter(Boolean));
  const fresh = bad.filter((line) => !known.has(line));
  const stale = [...known].filter((line) => !bad.includes(line));
  for (const line of fresh) console.error(line);
  for (const line of stale) console.error(`fixed, so delete it from ${BASELINE}: ${line}`);
  if (fresh.length || stale.length) process.exit(1);
  console.log(
    `imports: ${all.length} imports in ${files.length} files follow the house plan (${known.size} known breaks left)`,
  );
}
