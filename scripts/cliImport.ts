// `npm run cli -- import <dir> [--csv FILE[,FILE]]`: hands the folder to the page the way a user
// does, through the Data panel's directory <input> (and the labels CSVs through their input).
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';

export async function handImportFiles(
  page: Page,
  positionals: string[],
  values: Record<string, string | boolean>,
) {
  const dir = positionals[0];
  if (!dir || !existsSync(dir) || !statSync(dir).isDirectory())
    throw new Error(`import: '${dir ?? ''}' is not a folder`);
  await page.setInputFiles('#folder-input', resolve(dir));
  if (typeof values.csv === 'string') {
    const csvs = values.csv.split(',').map((f) => resolve(f));
    for (const f of csvs) if (!existsSync(f)) throw new Error(`import: CSV '${f}' not found`);
    await page.setInputFiles('#labels-input', csvs);
  }
}
