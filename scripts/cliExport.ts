// `export --format F --out DIR [--session FILE]` and `train ... --export DIR`: the page keeps the
// exported files (src/page/cli/export.ts); this pulls them out in base64 chunks (one
// page.evaluate result stays a few MB however big the file) and writes them under DIR.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Page } from 'playwright-core';

const CHUNK = 6 * 1024 * 1024; // a multiple of 3: base64 chunks concatenate

export interface Listed {
  name: string;
  size: number;
}

type Evaluator = Pick<Page, 'evaluate'>;

export async function pullExport(page: Evaluator, files: Listed[], dir: string): Promise<string[]> {
  const written: string[] = [];
  for (const f of files) {
    const parts: Buffer[] = [];
    for (let offset = 0; offset < f.size; offset += CHUNK) {
      const b64 = (await page.evaluate(
        ([name, o, l]) => window.studioCli!.run('export-chunk', { name, offset: o, length: l }),
        [f.name, offset, CHUNK] as const,
      )) as string;
      parts.push(Buffer.from(b64, 'base64'));
    }
    const bytes = Buffer.concat(parts);
    if (bytes.length !== f.size)
      throw new Error(`export: ${f.name} arrived with ${bytes.length} of ${f.size} bytes`);
    const path = join(dir, f.name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
    written.push(path);
  }
  return written;
}

/** Hands a local session archive to the page through a hidden file input; returns its selector. */
export async function handSessionFile(page: Page, file: string): Promise<string> {
  if (!existsSync(file)) throw new Error(`export: session archive '${file}' not found`);
  await page.evaluate(() => {
    if (document.getElementById('session-cli')) return;
    const input = Object.assign(document.createElement('input'), {
      type: 'file',
      id: 'session-cli',
    });
    input.hidden = true;
    document.body.append(input);
  });
  await page.setInputFiles('#session-cli', resolve(file));
  return '#session-cli';
}

/** `--save-session FILE.zip`: the page's session archive, written to FILE. */
export async function saveSession(page: Evaluator, file: string): Promise<string> {
  const listed = (await page.evaluate(() =>
    window.studioCli!.run('export', { format: 'session' }),
  )) as Listed[];
  const dir = mkdtempSync(join(tmpdir(), 'studio-session-'));
  try {
    const [written] = await pullExport(page, listed, dir);
    mkdirSync(dirname(resolve(file)), { recursive: true });
    copyFileSync(written, file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return file;
}
