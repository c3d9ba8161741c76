// shaders/conv2d_{fwd,dgrad,wgrad}.wgsl: every flag combination of the three conv program
// classes instantiates to WGSL with no directive or placeholder left, and the flags select what
// they say (compiling and running the kernels needs WebGPU: e2e/kernels.spec.ts).
import { describe, expect, it } from 'vitest';
import {
  Conv2DBackpropFilterProgram,
  Conv2DBackpropInputProgram,
  Conv2DFewChannelsProgram,
  Conv2DProgram,
  dgradPhases,
  fewChannels,
} from '../../src/engine/kernels/conv2d';
import type { GemmVariant } from '../../src/engine/kernels/gemm';
import { convInfo } from './convInfo';

const WIDE: GemmVariant = { wg: [8, 8], tileN: 8 };

const info = (cin: number, cout: number, stride = 1) => convInfo(7, 7, cin, cout, stride);
const noDirectives = (src: string) => expect(src).not.toMatch(/^\s*#(if|else|endif)|\{\{/m);
const CHANNELS = [
  [3, 5],
  [3, 8],
  [8, 5],
  [8, 16],
];

describe('shaders/conv2d_fwd.wgsl', () => {
  const acts = [null, 'linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const;
  for (const [cin, cout] of CHANNELS)
    for (const bias of ['none', 'column', 'scalar'] as const)
      for (const act of acts)
        it(`Cin=${cin} Cout=${cout} bias=${bias} act=${act}`, () => {
          const src = new Conv2DProgram(info(cin, cout), bias, act).getUserCode();
          noDirectives(src);
          // The epilogue (shaders/epilogue.wgsl): one activation, bias only when there is one.
          const fn = src.match(/fn activation[\s\S]*?\n}/)![0];
          expect(fn.match(/return/g)).toHaveLength(1);
          expect(fn.includes('max(v, vec4<f32>(0.0))')).toBe(act === 'relu');
          expect(src.includes('bias[')).toBe(bias !== 'none');
          expect(src.includes('bias[n0 >> 2u]')).toBe(bias === 'column' && cout % 4 === 0);
          expect(src.match(/store\(m0/g)).toHaveLength(4);
          expect(src.includes('x[(p0 >> 2u) + cq]')).toBe(cin % 4 === 0);
          expect(src.includes('result[o >> 2u]')).toBe(cout % 4 === 0);
        });
});

describe('shaders/conv2d_fwd.wgsl, 4x8 tile', () => {
  for (const [cin, cout] of CHANNELS)
    it(`Cin=${cin} Cout=${cout}: wide only when Cout % 4 == 0`, () => {
      const p = new Conv2DProgram(info(cin, cout), 'column', 'relu', WIDE);
      const src = p.getUserCode();
      noDirectives(src);
      expect(p.tileN).toBe(cout % 4 === 0 ? 8 : 4);
      expect(src.includes('acc7')).toBe(cout % 4 === 0);
      expect(src.includes('globalId.x) * 8')).toBe(cout % 4 === 0);
      expect(p.dispatch[0]).toBe(Math.ceil(cout / (p.tileN * 8)));
    });
});

describe('shaders/conv2d_fwd_fewc.wgsl', () => {
  it('takes 1-3 input channels with Cout % 16 == 0, and only those', () => {
    expect([1, 2, 3, 4, 8].map((c) => fewChannels(info(c, 64)))).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
    expect([8, 24, 32].map((c) => fewChannels(info(3, c)))).toEqual([false, false, true]);
  });
  for (const bias of ['none', 'column', 'scalar'] as const)
    for (const act of [null, 'relu', 'leakyrelu'] as const)
      it(`bias=${bias} act=${act}: epilogue prepended, 16 columns per thread`, () => {
        const p = new Conv2DFewChannelsProgram(info(3, 64), bias, act);
        const src = p.getUserCode();
        noDirectives(src);
        expect(src.match(/fn activation[\s\S]*?\n}/)![0].match(/return/g)).toHaveLength(1);
        expect(src.includes('bias[')).toBe(bias !== 'none');
        expect(p.tileN).toBe(16);
        expect(p.dispatch[0]).toBe(1); // 64 channels = 4 threads x 16
      });
});

describe('shaders/conv2d_dgrad.wgsl and conv2d_wgrad.wgsl', () => {
  for (const [cin, cout] of CHANNELS) {
    it(`backprop-input Cin=${cin} Cout=${cout}, every stride-2 phase`, () => {
      const ci = info(cin, cout, 2);
      for (const phase of dgradPhases(ci)) {
        const src = new Conv2DBackpropInputProgram(ci, phase).getUserCode();
        noDirectives(src);
        expect(src.includes('let cm =')).toBe(cout % 4 !== 0);
        expect(src.includes('result[o >> 2u]')).toBe(cin % 4 === 0);
        const wide = new Conv2DBackpropInputProgram(ci, phase, WIDE);
        noDirectives(wide.getUserCode());
        expect(wide.getUserCode().includes('acc7 = acc7')).toBe(true);
        expect(wide.dispatch[0]).toBe(Math.ceil(cin / 64));
      }
    });
    it(`backprop-filter Cin=${cin} Cout=${cout}`, () => {
      const src = new Conv2DBackpropFilterProgram(info(cin, cout)).getUserCode();
      noDirectives(src);
      expect(src.includes('x[xi >> 2u]')).toBe(cin % 4 === 0);
      expect(src.includes('result[o >> 2u]')).toBe(cout % 4 === 0);
      expect(src.includes('acc7')).toBe(false);
    });
    it(`backprop-filter 4x8 tile Cin=${cin} Cout=${cout}`, () => {
      const p = new Conv2DBackpropFilterProgram(info(cin, cout), WIDE);
      const src = p.getUserCode();
      noDirectives(src);
      expect(src.includes('acc7')).toBe(true);
      expect(src.includes('globalId.x) * 8')).toBe(true);
      expect(p.tileN).toBe(8);
      expect(p.dispatch[0]).toBe(Math.ceil(cout / 64));
    });
  }
});
