import { describe, expect, it } from 'vitest';
import { importsOf, violations } from '../../scripts/lint/imports';

// Each import the house plan forbids, as it would be written in a file of ours.
const check = (file: string, line: string, files: string[] = []) =>
  violations(importsOf(file, line, (f) => files.includes(f)));

describe('house plan import rules', () => {
  it('refuses worker-side code that reaches into the page', () => {
    expect(check('learn/x.ts', "import { useStudio } from '../page/store/studio';")).toEqual([
      'learn/x.ts imports page/store/studio: worker-side code never imports the page',
    ]);
  });

  it('refuses page code that imports worker-side modules or tfjs, even for types', () => {
    expect(check('page/store/a.ts', "import type { X } from '../../learn/session';")).toHaveLength(
      1,
    );
    expect(check('page/app/a.tsx', "import * as tf from '@tensorflow/tfjs';")[0]).toMatch(
      /no tensor work/,
    );
    expect(check('page/app/a.tsx', "import { create } from 'zustand';")).toEqual([]);
  });

  it('keeps shared/ pure and the protocol free of implementations', () => {
    expect(check('shared/protocol.ts', "import type { A } from '../learn/session';")).toHaveLength(
      1,
    );
    expect(check('shared/a.ts', "import Papa from 'papaparse';")).toEqual([]);
  });

  it('keeps the device free of kernels', () => {
    const out = check('engine/device.ts', "import { registerAll } from './kernels/register';", [
      'engine/kernels/register.ts',
    ]);
    expect(out[0]).toMatch(/knows no kernels/);
  });

  it('finds circles between folders, ignoring type-only imports', () => {
    const imports = [
      ...importsOf('engine/bench.ts', "import { resnet } from '../models/resnet';", () => false),
      ...importsOf('models/resnet.ts', "import { conv } from '../engine/conv';", () => false),
    ];
    expect(violations(imports)).toEqual(['folder circle: engine -> models -> engine']);
    const typeOnly = importsOf(
      'engine/bench.ts',
      "import type { R } from '../models/r';",
      () => false,
    );
    expect(violations([...typeOnly, imports[1]])).toEqual([]);
  });
});
