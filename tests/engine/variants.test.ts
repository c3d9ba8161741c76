// Autotune variants are constructor values: each GEMM program family, built under a variant,
// has the variant's workgroup and dispatch and names every compile-time choice in its shaderKey
// (tfjs caches one pipeline per key); the workgroup shape never changes the WGSL body. The
// tuner picks variants without touching programs: forced, disabled, or the default for shapes
// too small to tune.
import { describe, expect, it } from 'vitest';
import { Autotuner, type KernelArgs } from '../../src/engine/kernels/autotune';
import {
  Conv2DBackpropFilterProgram,
  Conv2DBackpropInputProgram,
  Conv2DFewChannelsProgram,
  Conv2DProgram,
  dgradDims,
  dgradPhases,
  pad4,
} from '../../src/engine/kernels/conv2d';
import { DEFAULT_VARIANT, type GemmVariant } from '../../src/engine/kernels/gemm';
import { MatMulProgram } from '../../src/engine/kernels/matmul';
import { convInfo } from './convInfo';

const V = (wx: number, wy: number, tileN: 4 | 8): GemmVariant => ({ wg: [wx, wy], tileN });
const VARIANTS = [V(8, 8, 4), V(16, 4, 4), V(4, 16, 4), V(16, 16, 4), V(8, 8, 8), V(4, 16, 8)];

const info = (cin: number, cout: number, stride = 1) => convInfo(9, 7, cin, cout, stride);

/** dispatch = ceil(N / (tileN·wx)), ceil(M / (4·wy)), batch, for the tile the family took. */
const expectGemm = (
  p: { dispatch: number[]; workgroupSize: number[]; shaderKey: string; tileN: number },
  d: { M: number; N: number; batch?: number },
  v: GemmVariant,
  tileN: number,
) => {
  expect(p.tileN).toBe(tileN);
  expect(p.workgroupSize).toEqual([v.wg[0], v.wg[1], 1]);
  expect(p.dispatch).toEqual([
    Math.ceil(d.N / (tileN * v.wg[0])),
    Math.ceil(d.M / (4 * v.wg[1])),
    d.batch ?? 1,
  ]);
  expect(p.shaderKey.endsWith(`_t${tileN}_wg${v.wg[0]}x${v.wg[1]}`)).toBe(true);
};

describe('GEMM programs built under a variant', () => {
  it('matmul: 4x8 only for B stored [K, N] with N % 4 == 0; batch on z', () => {
    for (const v of VARIANTS)
      for (const [tB, N] of [
        [false, 12],
        [true, 12],
        [false, 9],
      ] as const) {
        const d = { batch: 3, M: 13, N, K: 17 };
        const p = new MatMulProgram([3, 13, N], d, false, tB, 'column', 'relu', v);
        expectGemm(p, d, v, v.tileN === 8 && !tB && N % 4 === 0 ? 8 : 4);
        expect(p.shaderKey).toBe(
          `studio_matmul_0${+tB}_0${+(tB ? false : N % 4 === 0)}${+(N % 4 === 0)}0_column_relu_${p.variantKey}`,
        );
      }
  });

  it('conv forward, backprop-input (per phase) and backprop-filter', () => {
    for (const v of VARIANTS)
      for (const [cin, cout] of [
        [5, 7],
        [8, 12],
      ]) {
        const ci = info(cin, cout, 2);
        const M = ci.batchSize * ci.outHeight * ci.outWidth;
        const fwd = new Conv2DProgram(ci, 'none', null, v);
        expectGemm(fwd, { M, N: cout }, v, v.tileN === 8 && cout % 4 === 0 ? 8 : 4);
        expect(fwd.shaderKey).toMatch(/^studio_conv2d_\d\d_none_null_t\d_wg/);
        for (const ph of dgradPhases(ci)) {
          const dx = new Conv2DBackpropInputProgram(ci, ph, v);
          expectGemm(dx, dgradDims(ci, ph), v, v.tileN);
        }
        const dw = new Conv2DBackpropFilterProgram(ci, v);
        expectGemm(dw, { M: 9 * pad4(cin), N: cout }, v, v.tileN);
      }
  });

  it('few-channel stem: its own 4x16 workgroup under the 8x8 variants, 16 columns always', () => {
    const ci = info(3, 64, 2);
    const M = ci.batchSize * ci.outHeight * ci.outWidth;
    for (const v of VARIANTS) {
      const p = new Conv2DFewChannelsProgram(ci, 'column', 'relu', v);
      const own = v.wg[0] === 8 && v.wg[1] === 8;
      expectGemm(p, { M, N: 64 }, own ? V(4, 16, 4) : v, 16);
      expect(p.shaderKey.startsWith('studio_conv2d_fewc_column_relu_t16_')).toBe(true);
    }
  });

  it('the workgroup shape changes the key, never the WGSL; the tile changes both', () => {
    const ci = info(8, 16);
    const make = (v: GemmVariant) => new Conv2DProgram(ci, 'column', 'elu', v);
    const [a, b, w] = [make(DEFAULT_VARIANT), make(V(16, 4, 4)), make(V(16, 4, 8))];
    expect(b.getUserCode()).toBe(a.getUserCode());
    expect(b.shaderKey).not.toBe(a.shaderKey);
    expect(w.getUserCode()).not.toBe(b.getUserCode());
    expect(new Set([a, b, w].map((p) => p.shaderKey)).size).toBe(3);
  });
});

describe('Autotuner.variantFor', () => {
  const args = (shapeA: number[], shapeB: number[]): KernelArgs =>
    ({
      inputs: { a: { shape: shapeA }, b: { shape: shapeB } },
      attrs: {},
      backend: undefined,
    }) as unknown as KernelArgs;
  const small = args([4, 8], [8, 4]); // far below the tuning threshold: never queued

  it('runs the default for small shapes and for kernels outside the tuned families', () => {
    const t = new Autotuner('test');
    expect(t.variantFor('BatchMatMul', small)).toMatchObject(DEFAULT_VARIANT);
    expect(t.variantFor('Add', small)).toMatchObject(DEFAULT_VARIANT);
    expect(t.report().choices).toEqual({});
  });

  it('a forced variant applies to every tuned family and counts wide calls; undefined clears it', () => {
    const t = new Autotuner('test');
    t.force('reg4x8-wg4x16');
    for (const k of ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', '_FusedMatMul'])
      expect(t.variantFor(k, small)).toMatchObject({ wg: [4, 16], tileN: 8 });
    expect(t.variantFor('Multiply', small)).toMatchObject(DEFAULT_VARIANT);
    expect(t.wideVariantCalls['Conv2DBackpropFilter:reg4x8-wg4x16']).toBe(1);
    t.setEnabled(false); // a forced variant still wins when tuning is off (the kernel check)
    expect(t.variantFor('Conv2D', small).name).toBe('reg4x8-wg4x16');
    t.force(undefined);
    expect(t.variantFor('Conv2D', small)).toMatchObject(DEFAULT_VARIANT);
    expect(() => t.force('reg9x9')).toThrow("no autotune variant 'reg9x9'");
  });

  it('tunes within its budget: once spent, new shape classes run the default and are not queued', async () => {
    const big = args([512, 512], [512, 512]); // 2.7e8 flops: over the threshold
    const queued = (t: Autotuner) => (t as unknown as { running?: Promise<void> }).running;
    const spent = new Autotuner('test', 0);
    expect(spent.variantFor('BatchMatMul', big)).toMatchObject(DEFAULT_VARIANT);
    expect(queued(spent)).toBeUndefined();
    const open = new Autotuner('test');
    open.setEnabled(false, 0); // queue nothing that would run on the test backend
    expect(open.setBudget(0)).toBe(Infinity);
    open.setEnabled(true);
    open.variantFor('BatchMatMul', big);
    expect(queued(open)).toBeUndefined();
    open.setBudget(Infinity);
    open.variantFor('BatchMatMul', big);
    expect(queued(open)).toBeDefined();
    open.setEnabled(false); // the queued class is dropped unrun
    await open.idle();
    expect(open.report().log).toEqual([]);
  });
});
