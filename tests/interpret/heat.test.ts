import { expect, it } from 'vitest';
import { heatColor, heatStats, overlayRgba } from '../../src/page/app/interpret/heat';

it('colour map runs blue -> red', () => {
  expect(heatColor(0)).toEqual([0, 0, 128]);
  expect(heatColor(1)).toEqual([128, 0, 0]);
  expect(heatColor(0.5)).toEqual([128, 255, 128]);
});

it('overlay blends at alpha and leaves the image alone without heat', () => {
  const rgb = [200, 100, 50, 0, 0, 0];
  expect(Array.from(overlayRgba(rgb, undefined, 2, 1))).toEqual([200, 100, 50, 255, 0, 0, 0, 255]);
  const o = overlayRgba(rgb, [1, 0], 2, 1, 0.5);
  expect(Array.from(o)).toEqual([164, 50, 25, 255, 0, 0, 64, 255]);
});

it('stats: a uniform map has std 0', () => {
  expect(heatStats([0.5, 0.5, 0.5]).std).toBe(0);
  const s = heatStats([0, 1]);
  expect(s.mean).toBe(0.5);
  expect(s.std).toBe(0.5);
});
