import { expect, it } from 'vitest';
import { predictionsCsv } from '../../src/page/app/interpret/predictCsv';
import { topK, ttaBlend } from '../../src/learn/interpretSession';

it('topK sorts by probability, ties in class order', () => {
  expect(topK([0.2, 0.5, 0.2, 0.1], ['a', 'b', 'c', 'd'], 3)).toEqual([
    { label: 'b', prob: 0.5 },
    { label: 'a', prob: 0.2 },
    { label: 'c', prob: 0.2 },
  ]);
});

it('ttaBlend is torch.lerp(mean of augmented, plain, beta)', () => {
  const out = ttaBlend(
    [Float32Array.of(0.2, 0.8), Float32Array.of(0.4, 0.6)],
    Float32Array.of(1, 0),
    0.25,
  );
  expect(out[0]).toBeCloseTo(0.3 + 0.25 * 0.7, 6);
  expect(out[1]).toBeCloseTo(0.7 - 0.25 * 0.7, 6);
});

it('CSV: header, quoting, top-k, errors', () => {
  const csv = predictionsCsv(
    [
      {
        path: 'a, "b".jpg',
        predicted: ['cat'],
        prob: 0.75,
        top: [
          { label: 'cat', prob: 0.75 },
          { label: 'dog', prob: 0.25 },
        ],
        probs: [0.75, 0.25],
      },
      { path: 'bad.jpg', error: 'not an image', predicted: [], prob: 0, top: [], probs: [] },
    ],
    2,
  );
  expect(csv.split('\r\n')).toEqual([
    'filename,predicted,probability,top1,top1_prob,top2,top2_prob',
    '"a, ""b"".jpg",cat,0.750000,cat,0.750000,dog,0.250000',
    'bad.jpg,error: not an image,,,,,',
    '',
  ]);
});
