// The sub-pixel decomposition of strided backprop-input (src/engine/kernels/conv2d.ts): its
// phases must visit exactly the (input pixel, filter tap) pairs a strided conv connects, each
// once, with the right output position. Pure index math, so it is checked here exhaustively.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { dgradPhases, pad4 } from '../../src/engine/kernels/conv2d';

type Pad = 'same' | 'valid' | number;

function pairs(h: number, f: number, s: number, pad: Pad, outLen: number, padTop: number) {
  // Reference: every (ih, kh) with ih + padTop - kh = s·oh for an output oh in range.
  const ref = new Set<string>();
  for (let ih = 0; ih < h; ih++)
    for (let kh = 0; kh < f; kh++) {
      const t = ih + padTop - kh;
      if (t >= 0 && t % s === 0 && t / s < outLen) ref.add(`${ih},${kh},${t / s}`);
    }
  void pad;
  return ref;
}

describe('dgradPhases', () => {
  const cases: [number, number, number, Pad][] = [];
  for (const size of [5, 6, 7, 9])
    for (const f of [1, 2, 3, 5, 7])
      for (const s of [1, 2, 3])
        for (const pad of ['same', 'valid', 1, 3] as Pad[]) cases.push([size, f, s, pad]);

  it.each(cases)(
    'H=W=%i f=%i s=%i pad=%s covers exactly the connected pairs',
    (size, f, s, pad) => {
      if (pad === 'valid' && f > size) return;
      const ci = tf.backend_util.computeConv2DInfo([1, size, size + 1, 3], [f, f, 3, 4], s, 1, pad);
      const rows = new Set<string>();
      const unique = new Set<string>();
      const cols = new Set<string>();
      const seenPixels = new Set<string>();
      for (const p of dgradPhases(ci)) {
        for (let ip = 0; ip < p.hp; ip++) {
          const ih = p.ph + s * ip;
          expect(ih).toBeLessThan(ci.inHeight);
          for (let jp = 0; jp < p.wp; jp++) seenPixels.add(`${ih},${p.pw + s * jp}`);
          for (let t = 0; t < p.th; t++) {
            const kh = p.kh0 + s * t;
            const oh = ip + p.qh - t;
            expect(kh).toBeLessThan(ci.filterHeight);
            expect(ih + ci.padInfo.top - kh).toBe(s * oh);
            if (oh >= 0 && oh < ci.outHeight) {
              // Unique within a column phase (each phase is its own GEMM).
              const key = `${p.pw}|${ih},${kh},${oh}`;
              expect(unique.has(key)).toBe(false);
              unique.add(key);
              rows.add(`${ih},${kh},${oh}`);
            }
          }
        }
        for (let jp = 0; jp < p.wp; jp++) {
          const iw = p.pw + s * jp;
          for (let u = 0; u < p.tw; u++) {
            const kw = p.kw0 + s * u;
            const ow = jp + p.qw - u;
            expect(iw + ci.padInfo.left - kw).toBe(s * ow);
            if (ow >= 0 && ow < ci.outWidth) cols.add(`${iw},${kw},${ow}`);
          }
        }
      }
      // Every input pixel is written by exactly one phase (zeros when no tap reaches it).
      expect(seenPixels.size).toBe(ci.inHeight * ci.inWidth);
      expect(rows).toEqual(pairs(ci.inHeight, f, s, pad, ci.outHeight, ci.padInfo.top));
      expect(cols).toEqual(pairs(ci.inWidth, f, s, pad, ci.outWidth, ci.padInfo.left));
    },
  );

  it('pads channel counts to multiples of 4', () => {
    expect([1, 3, 4, 5, 8].map(pad4)).toEqual([4, 4, 4, 8, 8]);
  });
});
