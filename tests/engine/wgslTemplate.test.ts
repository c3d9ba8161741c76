// shaders/*.wgsl templates: the #if/#else/#endif + {{VALUE}} step, and every matmul variant
// instantiates to WGSL with no directive or placeholder left (compiling it needs WebGPU: e2e).
import { describe, expect, it } from 'vitest';
import matmulWgsl from '../../shaders/matmul.wgsl?raw';
import { MatMulProgram } from '../../src/engine/kernels/matmul';
import { instantiateWgsl } from '../../src/engine/kernels/wgslTemplate';
import type { GemmVariant } from '../../src/engine/kernels/gemm';

const WIDE: GemmVariant = { wg: [8, 8], tileN: 8 };

describe('instantiateWgsl', () => {
  it('keeps and drops nested branches and substitutes values', () => {
    const src = [
      'a',
      '#if X',
      'x {{T}}',
      '#if !Y',
      'not y',
      '#else',
      'y',
      '#endif',
      '#endif',
      'b',
    ].join('\n');
    expect(instantiateWgsl(src, { X: true, Y: false }, { T: 4 })).toBe('a\nx 4\nnot y\nb');
    expect(instantiateWgsl(src, { X: true, Y: true }, { T: 4 })).toBe('a\nx 4\ny\nb');
    expect(instantiateWgsl(src, { X: false, Y: true }, { T: 4 })).toBe('a\nb');
  });

  it('refuses unknown flags, missing values and unbalanced blocks', () => {
    expect(() => instantiateWgsl('#if Z\n#endif', {})).toThrow(/unknown flag 'Z'/);
    expect(() => instantiateWgsl('{{T}}', {})).toThrow(/no value/);
    expect(() => instantiateWgsl('#if X', { X: true })).toThrow(/unclosed/);
    expect(() => instantiateWgsl('#endif', {})).toThrow(/without #if/);
  });
});

describe('shaders/matmul.wgsl', () => {
  it('is loaded as text through ?raw', () => {
    expect(matmulWgsl).toContain('fn main()');
  });

  const acts = [null, 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const;
  for (const tA of [false, true])
    for (const tB of [false, true])
      for (const [M, N, K] of [
        [8, 8, 8],
        [5, 7, 9],
      ])
        for (const bias of ['none', 'column', 'scalar'] as const)
          for (const act of acts)
            it(`tA=${tA} tB=${tB} ${M}x${N}x${K} bias=${bias} act=${act}`, () => {
              const p = new MatMulProgram([M, N], { batch: 1, M, N, K }, tA, tB, bias, act);
              const src = p.getUserCode();
              expect(src).not.toMatch(/^\s*#(if|else|endif)|\{\{/m);
              // Exactly one return in activation(), and bias only when there is one.
              expect(src.match(/fn activation[\s\S]*?\n}/)![0].match(/return/g)).toHaveLength(1);
              expect(src.includes('bias[')).toBe(bias !== 'none');
              expect(src.includes('result[o >> 2u]')).toBe(N % 4 === 0);
              // The 4x8 variant: only B stored [K, N] with N % 4 == 0 takes it.
              const w = new MatMulProgram([M, N], { batch: 1, M, N, K }, tA, tB, bias, act, WIDE);
              const wide = !tB && N % 4 === 0;
              expect(w.tileN).toBe(wide ? 8 : 4);
              expect(w.getUserCode().includes('acc7 = acc7')).toBe(wide);
              expect(w.getUserCode()).not.toMatch(/^\s*#(if|else|endif)|\{\{/m);
            });
});
