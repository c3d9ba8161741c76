// shaders/conv2d_{fwd,dgrad,wgrad}.wgsl: every flag combination of the three conv program
// classes instantiates to WGSL with no directive or placeholder left, and the flags select what
// they say (compiling and running the kernels needs WebGPU: e2e/kernels.spec.ts).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  Conv2DBackpropFilterProgram,
  Conv2DBackpropInputProgram,
  Conv2DProgram,
  dgradPhases,
} from '../../src/engine/kernels/conv2d';

const info = (cin: number, cout: number, stride = 1) =>
  tf.backend_util.computeConv2DInfo(
    [2, 7, 7, cin],
    [3, 3, cin, cout],
    [stride, stride],
    [1, 1],
    'same',
    undefined,
    false,
    'channelsLast',
  );
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
          const fn = src.match(/fn activation[\s\S]*?\n}/);
          expect(fn !== null).toBe(act !== null);
          if (fn) expect(fn[0].match(/return/g)).toHaveLength(1);
          expect(src.match(/activation\(acc/g)?.length ?? 0).toBe(act === null ? 0 : 4);
          expect(src.includes('bias[')).toBe(bias !== 'none');
          expect(src.match(/let v\d = /g)).toHaveLength(4);
          expect(src.includes('x[(p0 >> 2u) + cq]')).toBe(cin % 4 === 0);
          expect(src.includes('result[o0 >> 2u]')).toBe(cout % 4 === 0);
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
        expect(src.includes('result[o0 >> 2u]')).toBe(cin % 4 === 0);
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
      const p = new Conv2DBackpropFilterProgram(info(cin, cout), true);
      const src = p.getUserCode();
      noDirectives(src);
      expect(src.includes('acc7')).toBe(true);
      expect(src.includes('globalId.x) * 8')).toBe(true);
      expect(p.tileN).toBe(8);
      expect(p.dispatch[0]).toBe(Math.ceil(cout / 64));
    });
  }
});
