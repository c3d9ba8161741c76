// The kernel check's ResNet50 cases (kernelCheckCases.ts spreads them in).
import { type Case, convCase, matMulCase } from './kernelCheckCase';
import { resnet50Convs } from './recipeFlops';

// ResNet50 as the recipe runs it (the bundled Keras body: stride in the first 1x1), at 128 px
// and, for the late 7x7 maps only it has, 224 px. Batch 1: the map and channel sizes pick the
// kernel paths; bs 16 would only make the CPU reference slow.
const R50_LAYERS: [number, string[]][] = [
  [
    128,
    [
      'stem 7x7 s2',
      'stage2.0 1x1c',
      'stage2.1 3x3',
      'stage3.0 down 1x1 s2',
      'stage3.0 1x1a s2',
      'stage4.1 3x3',
      'stage5.0 down 1x1 s2',
      'stage5.1 1x1a',
      'stage5.1 3x3',
      'stage5.1 1x1c',
    ],
  ],
  // NOTE: not the 224 px stem (its weight gradient sums 12544 products: float32 order alone
  // moves it 1.2e-4 from the CPU's, over the check's 1e-4) nor the 7x7 3x3 (9.7e-5 vs stock).
  [224, ['stage5.0 down 1x1 s2', 'stage5.1 1x1a']],
];

const convs = R50_LAYERS.flatMap(([size, names]) => {
  const layers = resnet50Convs(size);
  return names.map((name) => {
    const c = layers.find((l) => l.name === name);
    if (!c) throw new Error(`kernel check: ResNet50 has no layer '${name}' (recipeFlops.ts)`);
    return convCase(
      `resnet50 ${size} px ${name}: ${c.h}x${c.h} -> ${c.oh}x${c.oh}, Cin ${c.cin}, Cout ${c.cout}, b1`,
      [1, c.h, c.h, c.cin],
      [c.k, c.k, c.cin, c.cout],
      c.stride,
      c.pad,
    );
  });
});

export const RESNET50_CASES: Case[] = [
  ...convs,
  // fastai's head on ResNet50's 2048 x 2 pooled features (bs 2): Linear 4096->512, 512->10.
  matMulCase('resnet50 head: matmul 2x4096 · 4096x512', [2, 4096], [4096, 512], false, false),
  matMulCase('resnet50 head: matmul 2x512 · 512x10', [2, 512], [512, 10], false, false),
];
