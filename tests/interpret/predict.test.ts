import { expect, it } from 'vitest';
import { predictionsCsv } from '../../src/page/app/interpret/predictCsv';
import { topK } from '../../src/learn/predict';
import { ttaBlend, ttaPreds } from '../../src/learn/tta';

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

it('ttaPreds: n augmented passes, then the plain one, blended as fastai (lerp by beta)', async () => {
  const calls: boolean[] = [];
  const pass = async (augment: boolean) => {
    calls.push(augment);
    return Float32Array.of(augment ? calls.length : 10);
  };
  const out = await ttaPreds(pass, { n: 3, beta: 0.5 });
  expect(calls).toEqual([true, true, true, false]);
  // mean of augmented (1 + 2 + 3) / 3 = 2, lerp towards the plain 10 by 0.5: 6.
  expect(Array.from(out)).toEqual([6]);
  expect(Array.from(await ttaPreds(pass))).toEqual(
    Array.from(
      ttaBlend(
        [5, 6, 7, 8].map((v) => Float32Array.of(v)),
        Float32Array.of(10),
      ),
    ),
  );
});
