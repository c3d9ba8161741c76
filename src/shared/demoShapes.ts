// The built-in demo dataset: three kinds of pattern (horizontal stripes, vertical stripes,
// dots) in random colours, periods and phases, with noise, drawn procedurally from a seed.
// It ships with the code (no download) and a tiny convnet learns it in a few dozen steps.
import { seededRandom } from './random';

export const DEMO_CLASSES = ['horizontal', 'vertical', 'dots'] as const;

export interface ShapeBatch {
  /** NHWC float32 in [0, 1]. */
  pixels: Float32Array;
  labels: Int32Array;
  n: number;
  size: number;
}

function on(cls: number, x: number, y: number, period: number, phase: number): boolean {
  const u = (x + phase) % period < period / 2;
  const v = (y + phase) % period < period / 2;
  if (cls === 0) return v;
  if (cls === 1) return u;
  return u && v;
}

export function makeShapes(n: number, size: number, seed: number): ShapeBatch {
  const rand = seededRandom(seed);
  const pixels = new Float32Array(n * size * size * 3);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const cls = Math.floor(rand() * DEMO_CLASSES.length);
    labels[i] = cls;
    const period = 4 + Math.floor(rand() * 5);
    const phase = Math.floor(rand() * period);
    const fg = [rand(), rand(), rand()];
    const bg = fg.map((c) => (c + 0.35 + rand() * 0.3) % 1);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const lit = on(cls, x, y, period, phase);
        const o = ((i * size + y) * size + x) * 3;
        for (let c = 0; c < 3; c++) {
          const val = (lit ? fg[c] : bg[c]) + (rand() - 0.5) * 0.2;
          pixels[o + c] = Math.min(1, Math.max(0, val));
        }
      }
    }
  }
  return { pixels, labels, n, size };
}
