// The recipe benchmark's FLOP counter against ResNet-50's published multiply-add counts.
import { describe, expect, it } from 'vitest';
import {
  convMacs,
  gemmOf,
  phaseFlops,
  resnet50Convs,
} from '../../src/worker/diagnostics/recipeFlops';

const macs = (size: number, strideIn: '1x1' | '3x3') =>
  resnet50Convs(size, strideIn).reduce((a, c) => a + convMacs(c, 1), 0);

describe('resnet50Convs', () => {
  it('counts the known ~4.1 G multiply-adds (8.2 GFLOP) at 224 px, torchvision layout', () => {
    // torchvision / fvcore: 4.09 G MACs for the convs (+ 2 M for the fc).
    expect(macs(224, '3x3') / 1e9).toBeCloseTo(4.09, 2);
  });

  it('counts ~3.86 G for Keras v1 (stride in the first 1x1), the bundled body', () => {
    expect(macs(224, '1x1') / 1e9).toBeCloseTo(3.86, 2);
    expect(macs(224, '1x1')).toBeLessThan(macs(224, '3x3'));
  });

  it('has 53 convs and the maps of each stage (7x7 at 224 px, 4x4 at 128 px)', () => {
    const c = resnet50Convs(224);
    expect(c).toHaveLength(53);
    expect(c[0]).toMatchObject({ k: 7, stride: 2, oh: 112, cin: 3, cout: 64 });
    expect(c.at(-1)).toMatchObject({ oh: 7, cin: 512, cout: 2048 });
    expect(resnet50Convs(128).at(-1)!.oh).toBe(4);
    const down = c.filter((l) => l.name.includes('down') && l.stride === 2);
    expect(down.map((l) => [l.h, l.oh])).toEqual([
      [56, 28],
      [28, 14],
      [14, 7],
    ]);
  });

  it('scales with the batch and refuses sizes the net cannot take', () => {
    const [stem] = resnet50Convs(224);
    expect(convMacs(stem, 16)).toBe(16 * convMacs(stem, 1));
    expect(() => resnet50Convs(16)).toThrow(/16 px/);
  });
});

describe('phaseFlops', () => {
  const f = (p: Parameters<typeof phaseFlops>[0]) => phaseFlops(p, 224, 16, 10);
  it('orders the phases by the work their backward does', () => {
    expect(f('precompute')).toBeCloseTo(16 * 2 * macs(224, '1x1'), -3);
    expect(f('valid')).toBeGreaterThan(f('precompute'));
    expect(f('frozen-nobn')).toBeGreaterThan(f('valid'));
    expect(f('frozen')).toBeGreaterThan(f('frozen-nobn'));
    expect(f('unfrozen')).toBeGreaterThan(f('frozen'));
  });

  it('unfrozen = forward + dgrad (all convs but the stem) + wgrad, ~3x the forward', () => {
    const [stem] = resnet50Convs(224);
    const body = f('precompute');
    const head = f('valid') - body;
    expect(f('unfrozen')).toBeCloseTo(3 * body - 2 * convMacs(stem, 16) + 3 * head, -3);
    // train_bn's price: the body's input gradients, i.e. a forward minus the stem.
    expect(f('frozen') - f('frozen-nobn')).toBeCloseTo(body - 2 * convMacs(stem, 16), -3);
  });
});

describe('gemmOf', () => {
  it('reads conv forward, dgrad and wgrad dims from profiled shapes, same FLOPs', () => {
    const x = [2, 8, 8, 64];
    const w = [3, 3, 64, 128];
    const y = [2, 4, 4, 128]; // stride 2
    const fwd = gemmOf('Conv2D', [x, w], y)!;
    expect(fwd).toEqual({ dims: 'M32 N128 K576', flops: 2 * 32 * 128 * 576 });
    expect(gemmOf('Conv2DBackpropInput', [y, w], x)).toEqual({
      dims: 'M128 N64 K1152',
      flops: fwd.flops,
    });
    expect(gemmOf('Conv2DBackpropFilter', [x, y], w)).toEqual({
      dims: 'M576 N128 K32',
      flops: fwd.flops,
    });
  });

  it('reads matmul dims whichever operand is transposed', () => {
    expect(
      gemmOf(
        'BatchMatMul',
        [
          [1, 16, 4096],
          [1, 4096, 512],
        ],
        [1, 16, 512],
      ),
    ).toEqual({
      dims: 'M16 N512 K4096',
      flops: 2 * 16 * 512 * 4096,
    });
    // dW = xᵀ · dy: a is [K, M]
    expect(
      gemmOf(
        'BatchMatMul',
        [
          [1, 16, 4096],
          [1, 16, 512],
        ],
        [1, 4096, 512],
      )!.dims,
    ).toBe('M4096 N512 K16');
    expect(gemmOf('Relu', [[4]], [4])).toBeUndefined();
  });
});
