// The one-file page's runtime (src/export/onefile): its plain-JS forward pass over the graph with
// BatchNorm folded away gives tfjs's eval-mode probabilities (cpu backend) on the studio's
// architectures; an ensemble averages its members' probabilities; f16 weights round-trip.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import runtime from 'virtual:onefile-runtime';

import { normalizeInput } from '../../src/data/normalize';
import { buildGraph } from '../../src/export/onefile/graph';
import { onefilePage, type PageMeta } from '../../src/export/onefile/onefile';
import { decodeWeights, encodeWeights } from '../../src/export/onefile/pack';
import { predictProbs, unpackWeights } from '../../src/export/onefile/runtime';
import { tinyBnCnn } from '../../src/learn/demoNet';
import { cutBody, visionModel } from '../../src/models/head';
import { kerasResnet50Body } from '../../src/models/kerasResnet50';
import { isBatchNormKey, UNIT, type Model } from '../../src/models/model';
import { torchvisionResnet } from '../../src/models/resnet';
import type { StateDict } from '../../src/models/weights/tensors';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Random BN stats and affine params, so folding BN is not folding the identity. */
function stateOf(m: Model, seed: number): StateDict {
  let s = seed;
  for (const [k, v] of [...m.params, ...m.buffers]) {
    const bn = isBatchNormKey(m, k) || /running_(mean|var)$/.test(k);
    if (bn)
      v.assign(
        k.endsWith('running_var')
          ? tf.randomUniform(v.shape, 0.5, 2, 'float32', s++)
          : tf.randomNormal(v.shape, 0.1, 0.3, 'float32', s++),
      );
  }
  const raw = (v: tf.Variable) => ({ shape: [...v.shape], data: v.dataSync() as Float32Array });
  return new Map([...m.params, ...m.buffers].map(([k, v]) => [k, raw(v)]));
}

/** A tiny-bn-cnn's state, the model disposed. */
function tinyState(seed: number, widths?: [number, number]): StateDict {
  const m = tinyBnCnn(2, seed, widths);
  const sd = stateOf(m, seed);
  m.dispose();
  return sd;
}

const pixels = (n: number, size: number, seed: number) =>
  tf.tidy(
    () => tf.randomUniform([n, size, size, 3], 0, 1, 'float32', seed).dataSync() as Float32Array,
  );

function tfjsProbs(m: Model, px: Float32Array, n: number, size: number, multi = false) {
  return tf.tidy(() => {
    const x = normalizeInput(tf.tensor4d(px, [n, size, size, 3]), m.input, tf);
    const l = m.forward(x, { training: false });
    return (multi ? tf.sigmoid(l) : tf.softmax(l)).arraySync() as number[][];
  });
}

/** Max |runtime - tfjs| in probability over 3 random images. */
function check(m: Model, size: number, multiLabel = false, bnEps = 1e-5): number {
  const sd = stateOf(m, 11);
  const { graph, weights } = buildGraph(sd, bnEps);
  const flat = decodeWeights(
    encodeWeights(
      [...weights.values()].map((t) => t.data),
      false,
    ),
    false,
  );
  const n = 3;
  const px = pixels(n, size, 7);
  const want = tfjsProbs(m, px, n, size, multiLabel);
  let diff = 0;
  for (let i = 0; i < n; i++) {
    const one = px.subarray(i * size * size * 3, (i + 1) * size * size * 3);
    const got = predictProbs(graph, [unpackWeights(graph, flat)], one, {
      size,
      input: m.input,
      multiLabel,
    });
    expect(got).toHaveLength(want[i].length);
    got.forEach((p, j) => (diff = Math.max(diff, Math.abs(p - want[i][j]))));
  }
  m.dispose();
  return diff;
}

describe('one-file runtime vs tfjs', () => {
  it('resnet-tiny with the fastai head', () => {
    const m = visionModel(cutBody(torchvisionResnet('resnet-tiny', 1000, 1)), 4, { seed: 3 });
    expect(check(m, 32)).toBeLessThan(1e-4);
  });
  it('resnet-tiny with its fc head, multi-label', () => {
    expect(check(torchvisionResnet('resnet-tiny', 5, 1), 24, true)).toBeLessThan(1e-4);
  });
  it('tiny-bn-cnn (odd size: asymmetric same padding)', () => {
    expect(check(tinyBnCnn(3, 1), 15)).toBeLessThan(1e-4);
  });
  it('Keras ResNet50 body (bottlenecks, caffe BGR input, eps 1e-3) with the fastai head', () => {
    const m = visionModel(kerasResnet50Body(1), 2, { seed: 3 });
    expect(check(m, 32, false, 1e-3)).toBeLessThan(1e-4);
  }, 120_000);
  it('a torchvision bottleneck ResNet (resnet50 layout) agrees too', () => {
    const m = torchvisionResnet('resnet50', 3, 2);
    expect(check(m, 32)).toBeLessThan(1e-4);
  }, 120_000);
});

describe('ensembles and packing', () => {
  it('averages the probabilities of 2 weight sets', () => {
    const size = 16;
    const [a, b] = [tinyBnCnn(3, 1), tinyBnCnn(3, 2)];
    const [sa, sb] = [stateOf(a, 1), stateOf(b, 2)];
    const px = pixels(1, size, 3);
    const [pa, pb] = [tfjsProbs(a, px, 1, size)[0], tfjsProbs(b, px, 1, size)[0]];
    const ga = buildGraph(sa);
    const gb = buildGraph(sb);
    expect(gb.graph).toEqual(ga.graph);
    const sets = [ga, gb].map((g) => unpackWeights(ga.graph, flatOf(g.weights)));
    const got = predictProbs(ga.graph, sets, px, { size, input: a.input, multiLabel: false });
    got.forEach((p, j) => expect(p).toBeCloseTo((pa[j] + pb[j]) / 2, 5));
    expect(Math.max(...pa.map((p, j) => Math.abs(p - pb[j])))).toBeGreaterThan(1e-3);
    a.dispose();
    b.dispose();
  });
  it('f16 halves the bytes and keeps each weight within f16 rounding', () => {
    const x = Float32Array.from([0, 1, -2.5, 1e-3, 65504, 3.14159, -1e-6]);
    const f32 = encodeWeights([x], false);
    const f16 = encodeWeights([x], true);
    expect(f16.length * 2).toBeLessThanOrEqual(f32.length + 4);
    const back = decodeWeights(f16, true);
    back.forEach((v, i) =>
      expect(Math.abs(v - x[i])).toBeLessThanOrEqual(Math.abs(x[i]) / 1024 + 6e-8),
    );
    expect([...decodeWeights(f32, false)]).toEqual([...x]);
  });
  it('refuses weights that do not fit the graph', () => {
    const { graph } = buildGraph(tinyState(1));
    expect(() => unpackWeights(graph, new Float32Array(5))).toThrow(/weights hold 5 numbers/);
  });
});

describe('the page', () => {
  const meta = (classes: string[]): PageMeta => ({
    arch: 'tiny-bn-cnn',
    classes,
    multiLabel: false,
    size: 16,
    input: UNIT,
    itemTfm: { kind: 'resize', size: 16, method: 'crop' },
    source: { side: 16, of: 'short' },
    aug: 'side-on',
    bnEps: 1e-5,
  });
  it('embeds one weight set per member, the model as JSON and the runtime, all escaped', () => {
    const sets = [tinyState(1), tinyState(2)];
    const html = onefilePage(sets, meta(['</script><b>', 'b']), 'run("</script>")', { f16: true });
    expect(html.match(/<\/script>/g)).toHaveLength(4); // model, 2 weight sets, runtime
    const json = /<script type="application\/json" id="onefile-model">(.*?)<\/script>/s.exec(html)!;
    const model = JSON.parse(json[1]); // `<\/` is JSON's own escape of `/`
    expect(model).toMatchObject({ members: 2, f16: true, classes: ['</script><b>', 'b'] });
    expect(html).toContain("default-src 'none'"); // no connect-src: nothing can be fetched
    expect(html).not.toMatch(/https?:\/\//);
  });
  it('bundles a small runtime that fetches nothing', () => {
    expect(runtime.length).toBeGreaterThan(2_000);
    expect(runtime.length).toBeLessThan(40_000);
    expect(runtime).not.toMatch(/\bfetch\(|XMLHttpRequest|https?:\/\/|import\(/);
  });
  it('refuses an ensemble whose members differ in architecture, or no member at all', () => {
    const [a, b] = [tinyState(1), tinyState(1, [8, 12])];
    expect(() => onefilePage([a, b], meta(['a', 'b']), '')).toThrow(/weight set 2 is not the same/);
    expect(() => onefilePage([], meta(['a', 'b']), '')).toThrow(/no weight set/);
  });
});

const flatOf = (w: StateDict) => {
  const parts = [...w.values()].map((t) => t.data);
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  parts.reduce((o, p) => (out.set(p, o), o + p.length), 0);
  return out;
};
