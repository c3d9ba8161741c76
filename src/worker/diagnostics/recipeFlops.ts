// Useful conv + matmul FLOPs of the recipe's ResNet50 steps (bench-recipe), from shapes alone:
// a multiply-add is 2 FLOPs, and a backward pass only counts the products tfjs actually needs
// (no input gradient for the stem, no body gradients at all when nothing in it trains).
// Reference: ResNet-50 is ~4.1 G multiply-adds at 224 px with torchvision's layout (stride in
// the 3x3) and ~3.9 G with Keras v1's (stride in the first 1x1), He et al. 2015, table 1.

export interface ConvLayer {
  name: string;
  /** Input map (square), channels in and out, kernel size, stride, padding. */
  h: number;
  cin: number;
  cout: number;
  k: number;
  stride: number;
  pad: number;
  /** Output map (square). */
  oh: number;
}

export type RecipePhase = 'frozen' | 'frozen-nobn' | 'unfrozen' | 'valid' | 'precompute';
export const RECIPE_PHASES: RecipePhase[] = [
  'frozen',
  'frozen-nobn',
  'unfrozen',
  'valid',
  'precompute',
];

const out = (h: number, k: number, s: number, p: number) => Math.floor((h + 2 * p - k) / s) + 1;

/** The convs of a ResNet50 body for `size` px inputs; `strideIn` '1x1' is the bundled Keras one. */
export function resnet50Convs(size: number, strideIn: '1x1' | '3x3' = '1x1'): ConvLayer[] {
  if (!(size >= 32)) throw new Error(`resnet50Convs: size ${size} px is below 32 px`);
  const layers: ConvLayer[] = [];
  const add = (name: string, h: number, cin: number, cout: number, k: number, s: number) => {
    const pad = (k - 1) / 2;
    layers.push({ name, h, cin, cout, k, stride: s, pad, oh: out(h, k, s, pad) });
    return out(h, k, s, pad);
  };
  let h = add('stem 7x7 s2', size, 3, 64, 7, 2);
  h = out(h, 3, 2, 1); // max pool 3x3 s2 pad 1
  let cin = 64;
  [3, 4, 6, 3].forEach((blocks, s) => {
    const planes = 64 * 2 ** s;
    for (let b = 0; b < blocks; b++) {
      const stride = b === 0 && s > 0 ? 2 : 1;
      const id = `stage${s + 2}.${b}`;
      const [s1, s3] = strideIn === '1x1' ? [stride, 1] : [1, stride];
      if (b === 0) add(`${id} down 1x1${stride > 1 ? ' s2' : ''}`, h, cin, planes * 4, 1, stride);
      const h1 = add(`${id} 1x1a${s1 > 1 ? ' s2' : ''}`, h, cin, planes, 1, s1);
      const h2 = add(`${id} 3x3${s3 > 1 ? ' s2' : ''}`, h1, planes, planes, 3, s3);
      h = add(`${id} 1x1c`, h2, planes, planes * 4, 1, 1);
      cin = planes * 4;
    }
  });
  return layers;
}

/** Multiply-adds of one conv over a batch. */
export const convMacs = (c: ConvLayer, bs: number) => bs * c.oh * c.oh * c.cout * c.k * c.k * c.cin;

/** fastai's head on 2048 features: [in, out] of each Linear (concat pool doubles nf). */
export const headLinears = (nOut: number, nf = 2048, linFtrs = [512]): [number, number][] => {
  const sizes = [nf * 2, ...linFtrs, nOut];
  return sizes.slice(1).map((o, i) => [sizes[i], o]);
};

/**
 * Useful FLOPs of one step of `phase` for the bundled ResNet50 + fastai head: forward, plus the
 * input gradients (dgrad) and weight gradients (wgrad) the trained params need.
 * - frozen (fastai train_bn): every body BN trains, so dgrad runs through every conv but the
 *   stem; no body wgrad. frozen-nobn: the head alone trains (its input needs no gradient).
 * - unfrozen: dgrad as frozen, plus every wgrad. valid: forward; precompute: body forward.
 */
export function phaseFlops(phase: RecipePhase, size: number, bs: number, nOut: number): number {
  const convs = resnet50Convs(size);
  const body = 2 * convs.reduce((a, c) => a + convMacs(c, bs), 0);
  const head = 2 * headLinears(nOut).reduce((a, [i, o]) => a + bs * i * o, 0);
  const bodyDgrad = body - 2 * convMacs(convs[0], bs);
  const headTrain = body + 3 * head; // forward, dgrad and wgrad of each Linear
  switch (phase) {
    case 'precompute':
      return body;
    case 'valid':
      return body + head;
    case 'frozen-nobn':
      return headTrain;
    case 'frozen':
      return headTrain + bodyDgrad;
    case 'unfrozen':
      return headTrain + bodyDgrad + body;
  }
}

/** A profiled GEMM-like kernel's dims and forward-equivalent FLOPs, from its tensor shapes. */
export function gemmOf(
  kernel: string,
  inputs: (number[] | undefined)[],
  output: number[] | undefined,
): { dims: string; flops: number } | undefined {
  const [a, b] = inputs;
  if (!a || !b || !output) return undefined;
  const prod = (s: number[]) => s.reduce((x, y) => x * y, 1);
  if (kernel === 'Conv2D' || kernel === 'FusedConv2D' || kernel === 'DepthwiseConv2dNative') {
    const [n, oh, ow, co] = output;
    const [kh, kw, ci] = b;
    return gemm(n * oh * ow, co, kh * kw * ci, 2 * n * oh * ow * co * kh * kw * ci);
  }
  if (kernel === 'Conv2DBackpropInput') {
    // inputs: dy [n, oh, ow, co], filter [kh, kw, ci, co]; output: x
    const [n, oh, ow, co] = a;
    const [kh, kw, ci] = b;
    return gemm(n * output[1] * output[2], ci, kh * kw * co, 2 * n * oh * ow * co * kh * kw * ci);
  }
  if (kernel === 'Conv2DBackpropFilter') {
    // inputs: x, dy [n, oh, ow, co]; output: filter [kh, kw, ci, co]
    const [n, oh, ow, co] = b;
    const [kh, kw, ci] = output;
    return gemm(kh * kw * ci, co, n * oh * ow, 2 * n * oh * ow * co * kh * kw * ci);
  }
  if (kernel === 'BatchMatMul' || kernel === '_FusedMatMul') {
    const [m, n] = output.slice(-2);
    const batch = prod(output.slice(0, -2));
    const k = a[a.length - 2] === m ? a[a.length - 1] : a[a.length - 2];
    return gemm(m, n, k, 2 * batch * m * n * k);
  }
  return undefined;
}

const gemm = (m: number, n: number, k: number, flops: number) => ({
  dims: `M${m} N${n} K${k}`,
  flops,
});
