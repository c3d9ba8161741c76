// The one-file page's inference runtime: the ops of graph.ts as plain loops over Float32Arrays,
// one image at a time (NHWC without the N), so the page needs no tfjs, no GPU and no network.
// Also the model's input normalisation and the ensemble's averaged probabilities.
import type { InputSpec } from '../../data/normalize';
import type { Graph, Op } from './graph';

interface Act {
  h: number;
  w: number;
  c: number;
  data: Float32Array;
}

/** A weight set as the runtime reads it: each tensor of the graph by name. */
export type Weights = Map<string, Float32Array>;

/** Splits one weight set's flat array into the graph's tensors (views, no copies). */
export function unpackWeights(graph: Graph, flat: Float32Array): Weights {
  const out: Weights = new Map();
  let off = 0;
  for (const t of graph.tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    out.set(t.name, flat.subarray(off, off + n));
    off += n;
  }
  if (off !== flat.length)
    throw new Error(`weights hold ${flat.length} numbers, the graph wants ${off}`);
  return out;
}

/** tfjs/TensorFlow 'same' padding: the extra row/column (odd total) goes after. */
const samePad = (n: number, k: number, s: number) =>
  Math.floor(Math.max((Math.ceil(n / s) - 1) * s + k - n, 0) / 2);

function conv(
  x: Act,
  w: Float32Array,
  b: Float32Array,
  op: Extract<Op, { op: 'conv' }>,
  add?: Act,
): Act {
  const cout = b.length;
  const k = Math.round(Math.sqrt(w.length / (x.c * cout)));
  const s = op.stride;
  const [pt, pl] = op.pad === 'same' ? [samePad(x.h, k, s), samePad(x.w, k, s)] : [op.pad, op.pad];
  const [oh, ow] =
    op.pad === 'same'
      ? [Math.ceil(x.h / s), Math.ceil(x.w / s)]
      : [Math.floor((x.h + 2 * pt - k) / s) + 1, Math.floor((x.w + 2 * pl - k) / s) + 1];
  const out = new Float32Array(oh * ow * cout);
  for (let oy = 0; oy < oh; oy++)
    for (let ox = 0; ox < ow; ox++) {
      const o = (oy * ow + ox) * cout;
      out.set(b, o);
      for (let ky = 0; ky < k; ky++) {
        const iy = oy * s - pt + ky;
        if (iy < 0 || iy >= x.h) continue;
        for (let kx = 0; kx < k; kx++) {
          const ix = ox * s - pl + kx;
          if (ix < 0 || ix >= x.w) continue;
          const xi = (iy * x.w + ix) * x.c;
          const wi = (ky * k + kx) * x.c * cout;
          for (let ci = 0; ci < x.c; ci++) {
            const v = x.data[xi + ci];
            if (v === 0) continue; // post-ReLU activations are mostly zeros
            const wr = wi + ci * cout;
            for (let co = 0; co < cout; co++) out[o + co] += v * w[wr + co];
          }
        }
      }
    }
  if (add) for (let i = 0; i < out.length; i++) out[i] += add.data[i];
  if (op.relu) for (let i = 0; i < out.length; i++) if (out[i] < 0) out[i] = 0;
  return { h: oh, w: ow, c: cout, data: out };
}

/** Max pool with implicit -inf padding (PyTorch MaxPool2d / tf.maxPool with a pad). */
function maxPool(x: Act, k: number, s: number, p: number): Act {
  const oh = Math.floor((x.h + 2 * p - k) / s) + 1;
  const ow = Math.floor((x.w + 2 * p - k) / s) + 1;
  const out = new Float32Array(oh * ow * x.c).fill(-Infinity);
  for (let oy = 0; oy < oh; oy++)
    for (let ox = 0; ox < ow; ox++)
      for (let ky = 0; ky < k; ky++)
        for (let kx = 0; kx < k; kx++) {
          const [iy, ix] = [oy * s - p + ky, ox * s - p + kx];
          if (iy < 0 || iy >= x.h || ix < 0 || ix >= x.w) continue;
          const [o, i] = [(oy * ow + ox) * x.c, (iy * x.w + ix) * x.c];
          for (let c = 0; c < x.c; c++) out[o + c] = Math.max(out[o + c], x.data[i + c]);
        }
  return { h: oh, w: ow, c: x.c, data: out };
}

function globalPool(x: Act, kind: 'avg' | 'concat'): Act {
  const n = x.h * x.w;
  const avg = new Float64Array(x.c);
  const max = new Float32Array(x.c).fill(-Infinity);
  for (let p = 0; p < n; p++)
    for (let c = 0; c < x.c; c++) {
      const v = x.data[p * x.c + c];
      avg[c] += v / n;
      if (v > max[c]) max[c] = v;
    }
  const data = kind === 'avg' ? Float32Array.from(avg) : Float32Array.from([...max, ...avg]);
  return { h: 1, w: 1, c: data.length, data };
}

function linear(x: Act, w: Float32Array, b: Float32Array, relu: boolean): Act {
  const nout = b.length;
  const out = Float64Array.from(b);
  for (let i = 0; i < x.c; i++) {
    const v = x.data[i];
    for (let o = 0; o < nout; o++) out[o] += v * w[i * nout + o];
  }
  const data = Float32Array.from(out, (v) => (relu && v < 0 ? 0 : v));
  return { h: 1, w: 1, c: nout, data };
}

/** Logits of one normalised size x size x 3 image. */
export function forward(
  graph: Graph,
  weights: Weights,
  input: Float32Array,
  size: number,
): Float32Array {
  const acts = new Map<string, Act>([['input', { h: size, w: size, c: 3, data: input }]]);
  const act = (k: string) => acts.get(k)!;
  const t = (k: string) => weights.get(k)!;
  let last = act('input');
  for (const op of graph.ops) {
    const x = act(op.x);
    if (op.op === 'conv') last = conv(x, t(op.w), t(op.b), op, op.add ? act(op.add) : undefined);
    else if (op.op === 'maxpool') last = maxPool(x, op.k, op.stride, op.pad);
    else if (op.op === 'pool') last = globalPool(x, op.kind);
    else last = linear(x, t(op.w), t(op.b), op.relu);
    acts.set(op.out, last);
  }
  return last.data;
}

/** [0,1] RGB pixels -> the model's input (data/normalize.ts normalizeInput, on one image). */
export function normalize(px: Float32Array, spec: InputSpec): Float32Array {
  const out = new Float32Array(px.length);
  for (let i = 0; i < px.length; i += 3)
    for (let c = 0; c < 3; c++) {
      const v = px[i + (spec.bgr ? 2 - c : c)] * spec.scale;
      out[i + c] = (v - spec.mean[c]) / spec.std[c];
    }
  return out;
}

export function activate(logits: Float32Array, multiLabel: boolean): Float32Array {
  if (multiLabel) return logits.map((v) => 1 / (1 + Math.exp(-v)));
  const m = Math.max(...logits);
  const e = Array.from(logits, (v) => Math.exp(v - m));
  const sum = e.reduce((a, b) => a + b, 0);
  return Float32Array.from(e, (v) => v / sum);
}

/** The ensemble's probabilities: each weight set's softmax (or sigmoid), averaged. */
export function predictProbs(
  graph: Graph,
  members: Weights[],
  pixels: Float32Array,
  o: { size: number; input: InputSpec; multiLabel: boolean },
): Float32Array {
  const x = normalize(pixels, o.input);
  const probs = members.map((w) => activate(forward(graph, w, x, o.size), o.multiLabel));
  return probs[0].map((_, j) => probs.reduce((s, p) => s + p[j], 0) / probs.length);
}
