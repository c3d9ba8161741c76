// The one-file page's model: an eval-mode forward pass as a flat list of ops over named
// activations, read off the state-dict keys of the studio's architectures (tiny CNNs,
// torchvision ResNets, Keras ResNet50; their own classifier or fastai's head). BatchNorm is
// folded away here, in f64: into the conv before it (body) or the Linear after it (head), so the
// page's runtime (runtime.ts) knows only conv, max pool, global pools and Linear.
import type { RawTensor, StateDict } from '../../models/weights/tensors';

export type Op =
  /** HWIO weights; `add`: a residual added before the ReLU. */
  | {
      op: 'conv';
      x: string;
      out: string;
      w: string;
      b: string;
      stride: number;
      pad: number | 'same';
      relu: boolean;
      add?: string;
    }
  | { op: 'maxpool'; x: string; out: string; k: number; stride: number; pad: number }
  /** Global pooling to a vector; `concat` is fastai's AdaptiveConcatPool2d (max, then avg). */
  | { op: 'pool'; x: string; out: string; kind: 'avg' | 'concat' }
  /** Weights [in, out]. */
  | { op: 'linear'; x: string; out: string; w: string; b: string; relu: boolean };

type WithoutOut<T> = T extends unknown ? Omit<T, 'out'> : never;

export interface Graph {
  ops: Op[];
  /** Tensors by name in the order they are stored (one flat array per weight set). */
  tensors: { name: string; shape: number[] }[];
}

/** Folded tensors plus the ops that read them; `bnEps`: the body's BatchNorm eps. */
class Builder {
  ops: Op[] = [];
  out = new Map<string, RawTensor>();
  private n = 0;
  constructor(
    readonly sd: StateDict,
    private bnEps: number,
  ) {}

  has = (k: string) => this.sd.has(k);
  get(k: string): RawTensor {
    const t = this.sd.get(k);
    if (!t) throw new Error(`one-file page: the model has no tensor '${k}'`);
    return t;
  }
  private tmp = () => `t${this.n++}`;

  /** BN's per-channel scale and shift: y = x * s + t. */
  private bnAffine(bn: string, eps: number) {
    const [g, b, m, v] = ['weight', 'bias', 'running_mean', 'running_var'].map(
      (s) => this.get(`${bn}.${s}`).data,
    );
    const s = Array.from(g, (gi, i) => gi / Math.sqrt(v[i] + eps));
    return { s, t: s.map((si, i) => b[i] - m[i] * si) };
  }

  /** Conv `prefix` (+ its bias) followed by BN `bn` (if given), folded into one conv. */
  conv(
    x: string,
    prefix: string,
    bn: string | undefined,
    stride: number,
    pad: number | 'same',
    relu: boolean,
    add?: string,
  ): string {
    const w = this.get(`${prefix}.weight`);
    const cout = w.shape[3];
    const bias = this.has(`${prefix}.bias`)
      ? this.get(`${prefix}.bias`).data
      : new Float32Array(cout);
    const { s, t } = bn
      ? this.bnAffine(bn, this.bnEps)
      : { s: Array(cout).fill(1), t: Array(cout).fill(0) };
    const wd = Float32Array.from(w.data, (v, i) => v * s[i % cout]);
    const bd = Float32Array.from(bias, (v, o) => v * s[o] + t[o]);
    const out = this.tmp();
    this.out.set(`${out}.w`, { shape: w.shape, data: wd });
    this.out.set(`${out}.b`, { shape: [cout], data: bd });
    this.ops.push({ op: 'conv', x, out, w: `${out}.w`, b: `${out}.b`, stride, pad, relu, add });
    return out;
  }

  /** Linear `prefix` after BN1d `bn` (fastai's LinBnDrop, eval: dropout is the identity). */
  linear(x: string, prefix: string, bn: string | undefined, relu: boolean): string {
    const w = this.get(`${prefix}.weight`);
    const [nin, nout] = w.shape;
    const bias = this.has(`${prefix}.bias`)
      ? this.get(`${prefix}.bias`).data
      : new Float32Array(nout);
    // PyTorch's default eps: the head's BatchNorm1d is fastai's even on a Keras body.
    const { s, t } = bn
      ? this.bnAffine(bn, 1e-5)
      : { s: Array(nin).fill(1), t: Array(nin).fill(0) };
    const wd = Float32Array.from(w.data, (v, i) => v * s[Math.floor(i / nout)]);
    const bd = Float64Array.from(bias);
    for (let i = 0; i < nin; i++)
      for (let o = 0; o < nout; o++) bd[o] += t[i] * w.data[i * nout + o];
    const out = this.tmp();
    this.out.set(`${out}.w`, { shape: w.shape, data: wd });
    this.out.set(`${out}.b`, { shape: [nout], data: Float32Array.from(bd) });
    this.ops.push({ op: 'linear', x, out, w: `${out}.w`, b: `${out}.b`, relu });
    return out;
  }

  push(op: WithoutOut<Op>): string {
    const out = this.tmp();
    this.ops.push({ ...op, out } as Op);
    return out;
  }
}

const indices = (sd: StateDict, re: RegExp) =>
  [...new Set([...sd.keys()].flatMap((k) => (re.exec(k) ? [Number(re.exec(k)![1])] : [])))].sort(
    (a, b) => a - b,
  );

function torchvisionBody(g: Builder, x: string): string {
  let h = g.conv(x, 'conv1', 'bn1', 2, 3, true);
  h = g.push({ op: 'maxpool', x: h, k: 3, stride: 2, pad: 1 });
  const bottleneck = g.has('layer1.0.conv3.weight');
  for (let s = 1; s <= 4; s++)
    for (const b of indices(g.sd, new RegExp(`^layer${s}\\.(\\d+)\\.conv1\\.weight$`))) {
      const p = `layer${s}.${b}`;
      const stride = b === 0 && s > 1 ? 2 : 1;
      const idn = g.has(`${p}.downsample.0.weight`)
        ? g.conv(h, `${p}.downsample.0`, `${p}.downsample.1`, stride, 0, false)
        : h;
      if (bottleneck) {
        let y = g.conv(h, `${p}.conv1`, `${p}.bn1`, 1, 0, true);
        y = g.conv(y, `${p}.conv2`, `${p}.bn2`, stride, 1, true);
        h = g.conv(y, `${p}.conv3`, `${p}.bn3`, 1, 0, true, idn);
      } else {
        const y = g.conv(h, `${p}.conv1`, `${p}.bn1`, stride, 1, true);
        h = g.conv(y, `${p}.conv2`, `${p}.bn2`, 1, 1, true, idn);
      }
    }
  return h;
}

function kerasBody(g: Builder, x: string): string {
  let h = g.conv(x, 'conv1', 'bn_conv1', 2, 3, true);
  h = g.push({ op: 'maxpool', x: h, k: 3, stride: 2, pad: 1 });
  for (let s = 2; s <= 5; s++)
    for (let b = 0; g.has(`res${s}${String.fromCharCode(97 + b)}_branch2a.weight`); b++) {
      const id = `${s}${String.fromCharCode(97 + b)}`;
      const stride = b === 0 && s > 2 ? 2 : 1;
      const idn = b === 0 ? g.conv(h, `res${id}_branch1`, `bn${id}_branch1`, stride, 0, false) : h;
      let y = g.conv(h, `res${id}_branch2a`, `bn${id}_branch2a`, stride, 0, true);
      y = g.conv(y, `res${id}_branch2b`, `bn${id}_branch2b`, 1, 1, true);
      h = g.conv(y, `res${id}_branch2c`, `bn${id}_branch2c`, 1, 0, true, idn);
    }
  return h;
}

/** tiny-cnn (conv bias) and tiny-bn-cnn (BN): two strided 'same' 3x3 convs with ReLU. */
function tinyBody(g: Builder, x: string): string {
  const bn = (i: number) => (g.has(`bn${i}.weight`) ? `bn${i}` : undefined);
  const h = g.conv(x, 'conv1', bn(1), 2, 'same', true);
  return g.conv(h, 'conv2', bn(2), 2, 'same', true);
}

function head(g: Builder, f: string, sd: StateDict): string {
  const heads = indices(sd, /^head\.(\d+)\.weight$/);
  if (!heads.length) {
    const fc = g.has('fc1000.weight') ? 'fc1000' : 'fc';
    return g.linear(g.push({ op: 'pool', x: f, kind: 'avg' }), fc, undefined, false);
  }
  // fastai's create_head: BN (it has running stats) then Linear, ReLU between the blocks.
  let h = g.push({ op: 'pool', x: f, kind: 'concat' });
  const lins = heads.filter((i) => !sd.has(`head.${i}.running_mean`));
  lins.forEach((i, j) => {
    const bn = heads.filter((k) => k < i && sd.has(`head.${k}.running_mean`)).at(-1);
    h = g.linear(h, `head.${i}`, bn === undefined ? undefined : `head.${bn}`, j < lins.length - 1);
  });
  return h;
}

/** The eval-mode graph of a studio model and its folded weights (output: logits). */
export function buildGraph(sd: StateDict, bnEps = 1e-5): { graph: Graph; weights: StateDict } {
  const g = new Builder(sd, bnEps);
  const f = sd.has('layer1.0.conv1.weight')
    ? torchvisionBody(g, 'input')
    : sd.has('res2a_branch2a.weight')
      ? kerasBody(g, 'input')
      : sd.has('conv2.weight')
        ? tinyBody(g, 'input')
        : undefined;
  if (!f) throw new Error('one-file page: not a studio architecture (no ResNet or tiny-CNN keys)');
  head(g, f, sd); // its last op's output is the logits the runtime returns
  return {
    graph: { ops: g.ops, tensors: [...g.out].map(([name, t]) => ({ name, shape: t.shape })) },
    weights: g.out,
  };
}
