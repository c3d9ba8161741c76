// Conv2D (NHWC) as implicit GEMM on the shared core, all three directions:
//   forward:         out[b,oh,ow,:]  = x-patches [B·oH·oW, fH·fW·Cin] · W [fH·fW·Cin, Cout]
//   backprop-input:  dx[b,ih,iw,:]   = dy-patches [B·H·W, fH·fW·Cout] · Wᵀ (W read as [Cin, fH·fW·Cout])
//   backprop-filter: dW[kh,kw,c,:]   = x-patchesᵀ [fH·fW·Cin, B·oH·oW] · dy [B·oH·oW, Cout]
// The patch index math (stride, dilation, padding, image borders) runs inside the loads, with
// the K-axis coordinates advanced incrementally (no division in the inner loop).
// Channels always step 4 at a time: counts that are multiples of 4 read vec4s, others (RGB
// stems, C = 5, 6, ...) are padded to 4 inside the loads (4 scalar reads, masked past C). The
// earlier scalar path gave every K element its own (kh, kw, c) state: 4 coordinate advances
// and 16 bounds checks per K step, straight-line code SwiftShader's shader compiler did not
// finish (a hang, not a loop); the padded form is the vec4 path's code with scalar reads.
// Strided backprop-input runs per output phase (sub-pixel decomposition, `dgradPhases`).
// NOTE: only A loads are guarded (padding, image borders, the K tail): B loads use clamped
// indices, since rows/columns past M/N are never written and A is zero past K.
import * as tf from '@tensorflow/tfjs';
import {
  type Activation,
  activationFn,
  type BiasKind,
  GemmProgram,
  makeGemmSource,
  rowMajorWrite,
} from './gemm';

type ConvInfo = tf.backend_util.Conv2DInfo;
const Q = [0, 1, 2, 3];
const U = (name: string) => `uniforms.${name}`;

const CONV_UNIFORMS =
  ' pad : vec2<i32>, stride : vec2<i32>, dilation : vec2<i32>, filterHW : vec2<i32>, inHW : vec2<i32>, outHW : vec2<i32>, inC : i32, outC : i32,';

/** uniformData for CONV_UNIFORMS, in the same order, after the GEMM ones. */
export function convUniformData(ci: ConvInfo) {
  return [
    { type: 'int32', data: [ci.padInfo.top, ci.padInfo.left] }, // pad: top, left
    { type: 'int32', data: [ci.strideHeight, ci.strideWidth] }, // stride
    { type: 'int32', data: [ci.dilationHeight, ci.dilationWidth] }, // dilation
    { type: 'int32', data: [ci.filterHeight, ci.filterWidth] }, // filterHW
    { type: 'int32', data: [ci.inHeight, ci.inWidth] }, // inHW
    { type: 'int32', data: [ci.outHeight, ci.outWidth] }, // outHW
    { type: 'int32', data: [ci.inChannels] }, // inC
    { type: 'int32', data: [ci.outChannels] }, // outC
  ];
}

const inBounds = (h: string, w: string, hw: string) =>
  `${h} >= 0 && ${h} < ${U(hw)}.x && ${w} >= 0 && ${w} < ${U(hw)}.y`;
/**
 * Advances a 3-level K coordinate (outer, mid, inner; inner fastest) by `step`, branch-free
 * (select, not if: divisions per element cost more than the GEMM itself on SwiftShader).
 * `step` must divide `innerN` (the vec4 paths step 4 through channel counts divisible by 4).
 */
const advance = (
  inner: string,
  innerN: string,
  mid: string,
  midN: string,
  outer: string,
  step: number,
) =>
  `${inner} = ${inner} + ${step}; { let w1 = ${inner} >= ${innerN}; ${inner} = select(${inner}, 0, w1); ${mid} = ${mid} + select(0, 1, w1);
  let w2 = ${mid} >= ${midN}; ${mid} = select(${mid}, 0, w2); ${outer} = ${outer} + select(0, 1, w2); }`;

abstract class ConvGemmProgram extends GemmProgram {
  protected src = '';
  constructor(outputShape: number[], dims: { M: number; N: number; K: number }) {
    super(outputShape, { batch: 1, ...dims });
    this.uniforms += CONV_UNIFORMS;
  }
  getUserCode() {
    return this.src;
  }
}

// ************* forward *************

/** Channel counts rounded up to a multiple of 4: the K axis steps 4 channels at a time. */
export const pad4 = (c: number) => Math.ceil(c / 4) * 4;

/**
 * 4 consecutive channels `c..c+3` of one pixel starting at flat index `i`, zero where `ok` is
 * false or past the real channel count (the K-axis padding when C % 4 != 0). The scalar form
 * reads up to 3 elements past the pixel (the next pixel or, at the buffer end, a robust-access
 * value): they are selected away, never multiplied, so even NaN/Inf there cannot leak in.
 */
const read4 = (buf: string, vec: boolean, i: string, ok: string, cmask: string) =>
  vec
    ? `select(vec4<f32>(0.0), ${buf}[(${i}) / 4], ${ok})`
    : `select(vec4<f32>(0.0), vec4<f32>(${buf}[${i}], ${buf}[${i} + 1], ${buf}[${i} + 2], ${buf}[${i} + 3]), ${cmask} & vec4<bool>(${ok}))`;
/** Which of the channels c..c+3 exist (WGSL vec4<bool>). */
const chanMask = (c: string, n: string) =>
  `(vec4<i32>(${c}) + vec4<i32>(0, 1, 2, 3)) < vec4<i32>(${n})`;

export class Conv2DProgram extends ConvGemmProgram {
  constructor(ci: ConvInfo, bias: BiasKind, activation: Activation | null) {
    // K runs over (kh, kw, channel) with channels padded to 4: uniforms.dimK = fH·fW·pad4(Cin).
    const M = ci.batchSize * ci.outHeight * ci.outWidth;
    const N = ci.outChannels;
    const K = ci.filterHeight * ci.filterWidth * pad4(ci.inChannels);
    super(ci.outShape, { M, N, K });
    const vecX = ci.inChannels % 4 === 0;
    const vecW = N % 4 === 0;
    this.variableNames = ['x', 'w'];
    this.variableComponents = [vecX ? 4 : 1, vecW ? 4 : 1];
    if (bias !== 'none') {
      this.variableNames.push('bias');
      this.variableComponents.push(bias === 'column' && vecW ? 4 : 1);
    }
    this.outputComponent = vecW ? 4 : 1;
    this.shaderKey = `studio_conv2d_${+vecX}${+vecW}_${bias}_${activation}`;

    const setup = Q.map(
      (i) => `let r${i} = m0 + ${i};
let ow${i} = r${i} % ${U('outHW')}.y; let oh${i} = (r${i} / ${U('outHW')}.y) % ${U('outHW')}.x;
let bt${i} = r${i} / (${U('outHW')}.x * ${U('outHW')}.y);
let ih0${i} = oh${i} * ${U('stride')}.x - ${U('pad')}.x; let iw0${i} = ow${i} * ${U('stride')}.y - ${U('pad')}.y;
let xb${i} = bt${i} * ${U('inHW')}.x * ${U('inHW')}.y * ${U('inC')}; let row${i} = r${i} < ${U('dimM')};`,
    ).join('\n');
    const state = `var kc = 0; var kw = 0; var kh = 0;
let inCp = ((${U('inC')} + 3) / 4) * 4;
let wRows = ${U('filterHW')}.x * ${U('filterHW')}.y * ${U('inC')};`;
    const xIndex = (i: number) => `xb${i} + (ih${i} * ${U('inHW')}.y + iw${i}) * ${U('inC')} + kc`;
    const loadA =
      `let dh = kh * ${U('dilation')}.x; let dw = kw * ${U('dilation')}.y;\n` +
      (vecX ? '' : `let cm = ${chanMask('kc', U('inC'))};\n`) +
      Q.map(
        (i) => `let ih${i} = ih0${i} + dh; let iw${i} = iw0${i} + dw;
let a${i} = ${read4('x', vecX, `max(${xIndex(i)}, 0)`, `row${i} && ${inBounds(`ih${i}`, `iw${i}`, 'inHW')}`, 'cm')};`,
      ).join('\n');
    // Weight rows of this K step: (kh, kw, kc + j) in W [fH, fW, Cin, Cout]; rows past the real
    // channels are clamped (finite values that meet zeros in A).
    const loadB =
      `let wr = (kh * ${U('filterHW')}.y + kw) * ${U('inC')} + kc;\n` +
      Q.map((j) =>
        vecW
          ? `let b${j} = w[(min(wr + ${j}, wRows - 1) * ${U('dimN')} + n0) / 4];`
          : `let b${j} = vec4<f32>(${Q.map((c) => `w[min(wr + ${j}, wRows - 1) * ${U('dimN')} + min(n0 + ${c}, ${U('dimN')} - 1)]`).join(', ')});`,
      ).join('\n');
    this.src = makeGemmSource({
      aForm: 'mk',
      bForm: 'kn',
      helpers: activation ? activationFn(activation) : '',
      setup: `${setup}\n${state}`,
      load: `${loadB}\n${loadA}\n${advance('kc', 'inCp', 'kw', U('filterHW') + '.y', 'kh', 4)}`,
      write: rowMajorWrite({ base: '0', vec4Out: vecW, bias, activation: activation !== null }),
    });
  }
}

// ************* backprop input *************

/**
 * One output phase of a strided backprop-input (sub-pixel decomposition): the input pixels
 * ih = ph + sh·i', iw = pw + sw·j' are reached only by the taps kh ≡ (ph + padTop) mod sh (and
 * likewise kw), so each phase is a small dense GEMM over just those taps, with no zero
 * multiplies. Stride 1 is the single phase (0, 0) with every tap.
 */
export interface DgradPhase {
  ph: number;
  pw: number;
  /** First tap of the phase (kh0, kw0) and the tap counts (th, tw) it visits. */
  kh0: number;
  kw0: number;
  th: number;
  tw: number;
  /** oh = i' + qh - t (t = tap step), ow = j' + qw - u. */
  qh: number;
  qw: number;
  /** Phase grid size: the i' and j' ranges. */
  hp: number;
  wp: number;
}

/** The stride phases of a backprop-input; phases holding no input pixel are left out. */
export function dgradPhases(ci: ConvInfo): DgradPhase[] {
  const [sh, sw] = [ci.strideHeight, ci.strideWidth];
  const out: DgradPhase[] = [];
  for (let ph = 0; ph < sh; ph++)
    for (let pw = 0; pw < sw; pw++) {
      const hp = Math.ceil((ci.inHeight - ph) / sh);
      const wp = Math.ceil((ci.inWidth - pw) / sw);
      if (hp <= 0 || wp <= 0) continue;
      const kh0 = (ph + ci.padInfo.top) % sh;
      const kw0 = (pw + ci.padInfo.left) % sw;
      out.push({
        ph,
        pw,
        kh0,
        kw0,
        th: Math.max(0, Math.ceil((ci.filterHeight - kh0) / sh)),
        tw: Math.max(0, Math.ceil((ci.filterWidth - kw0) / sw)),
        qh: (ph + ci.padInfo.top - kh0) / sh,
        qw: (pw + ci.padInfo.left - kw0) / sw,
        hp,
        wp,
      });
    }
  return out;
}

const DGRAD_UNIFORMS =
  ' stride : vec2<i32>, k0 : vec2<i32>, taps : vec2<i32>, q : vec2<i32>, phase : vec2<i32>, sub : vec2<i32>, filterHW : vec2<i32>, inHW : vec2<i32>, outHW : vec2<i32>, inC : i32, outC : i32,';

/** GEMM dims of one phase: M = B·hp·wp pixels, N = Cin, K = th·tw·pad4(Cout). */
export function dgradDims(ci: ConvInfo, p: DgradPhase) {
  return {
    batch: 1,
    M: ci.batchSize * p.hp * p.wp,
    N: ci.inChannels,
    K: p.th * p.tw * pad4(ci.outChannels),
  };
}

/** uniformData for DGRAD_UNIFORMS, after the GEMM ones. */
export function dgradUniformData(ci: ConvInfo, p: DgradPhase) {
  return [
    { type: 'int32', data: [ci.strideHeight, ci.strideWidth] }, // stride
    { type: 'int32', data: [p.kh0, p.kw0] }, // k0: first tap of the phase
    { type: 'int32', data: [p.th, p.tw] }, // taps: tap counts of the phase
    { type: 'int32', data: [p.qh, p.qw] }, // q: oh = i' + q.x - t
    { type: 'int32', data: [p.ph, p.pw] }, // phase: ih = phase.x + stride.x * i'
    { type: 'int32', data: [p.hp, p.wp] }, // sub: the phase grid
    { type: 'int32', data: [ci.filterHeight, ci.filterWidth] }, // filterHW
    { type: 'int32', data: [ci.inHeight, ci.inWidth] }, // inHW
    { type: 'int32', data: [ci.outHeight, ci.outWidth] }, // outHW
    { type: 'int32', data: [ci.inChannels] }, // inC
    { type: 'int32', data: [ci.outChannels] }, // outC
  ];
}

export class Conv2DBackpropInputProgram extends GemmProgram {
  private readonly src: string;
  constructor(ci: ConvInfo, p: DgradPhase) {
    super(ci.inShape, dgradDims(ci, p));
    this.uniforms += DGRAD_UNIFORMS;
    const vecK = ci.outChannels % 4 === 0;
    const vecOut = ci.inChannels % 4 === 0;
    this.variableNames = ['dy', 'w'];
    this.variableComponents = [vecK ? 4 : 1, vecK ? 4 : 1];
    this.outputComponent = vecOut ? 4 : 1;
    this.shaderKey = `studio_conv2d_dx_${+vecK}${+vecOut}`;

    // Row r of the phase GEMM is pixel (b, i', j'); its input pixel is (phase + stride·(i', j')).
    const setup =
      Q.map(
        (i) => `let r${i} = m0 + ${i};
let jp${i} = r${i} % ${U('sub')}.y; let ip${i} = (r${i} / ${U('sub')}.y) % ${U('sub')}.x;
let bt${i} = r${i} / (${U('sub')}.x * ${U('sub')}.y);
let xrow${i} = (bt${i} * ${U('inHW')}.x + ${U('phase')}.x + ${U('stride')}.x * ip${i}) * ${U('inHW')}.y + ${U('phase')}.y + ${U('stride')}.y * jp${i};
let oh0${i} = ip${i} + ${U('q')}.x; let ow0${i} = jp${i} + ${U('q')}.y;
let dyb${i} = bt${i} * ${U('outHW')}.x * ${U('outHW')}.y * ${U('outC')}; let row${i} = r${i} < ${U('dimM')};`,
      ).join('\n') +
      `\nvar koc = 0; var tw = 0; var th = 0;
let outCp = ((${U('outC')} + 3) / 4) * 4;`;
    const dyIndex = (i: number) =>
      `max(dyb${i} + (oh${i} * ${U('outHW')}.y + ow${i}) * ${U('outC')} + koc, 0)`;
    // W is [fH, fW, Cin, Cout]: element (kh, kw, n, koc), read as B[k = (t, u, koc), n].
    const wIndex = (n: string) =>
      `((kh * ${U('filterHW')}.y + kw) * ${U('inC')} + ${n}) * ${U('outC')} + koc`;
    const load =
      `let kh = ${U('k0')}.x + ${U('stride')}.x * th; let kw = ${U('k0')}.y + ${U('stride')}.y * tw;\n` +
      (vecK ? '' : `let cm = ${chanMask('koc', U('outC'))};\n`) +
      Q.map(
        (i) => `let oh${i} = oh0${i} - th; let ow${i} = ow0${i} - tw;
let a${i} = ${read4('dy', vecK, dyIndex(i), `row${i} && ${inBounds(`oh${i}`, `ow${i}`, 'outHW')}`, 'cm')};`,
      ).join('\n') +
      '\n' +
      Q.map((j) => {
        const wi = wIndex(`min(n0 + ${j}, ${U('dimN')} - 1)`);
        // Channels past Cout (scalar case) read neighbours: finite, and they meet zeros in A.
        return vecK
          ? `let c${j} = w[(${wi}) / 4];`
          : `let wi${j} = ${wi}; let c${j} = vec4<f32>(w[wi${j}], w[wi${j} + 1], w[wi${j} + 2], w[wi${j} + 3]);`;
      }).join('\n') +
      `\n${advance('koc', 'outCp', 'tw', U('taps') + '.y', 'th', 4)}`;
    this.src = makeGemmSource({
      aForm: 'mk',
      bForm: 'nk',
      helpers: '',
      setup,
      load,
      write: rowMajorWrite({
        base: '0',
        vec4Out: vecOut,
        bias: 'none',
        activation: false,
        row: (i) => `xrow${i}`,
      }),
    });
  }

  getUserCode() {
    return this.src;
  }
}

// ************* backprop filter *************

export class Conv2DBackpropFilterProgram extends ConvGemmProgram {
  constructor(ci: ConvInfo) {
    // M runs over (kh, kw, channel) with channels padded to 4 (dimM = fH·fW·pad4(Cin)), so a
    // thread's 4 rows are channels c..c+3 of one tap; rows of padding channels are not written.
    const M = ci.filterHeight * ci.filterWidth * pad4(ci.inChannels);
    const N = ci.outChannels;
    const K = ci.batchSize * ci.outHeight * ci.outWidth;
    super(ci.filterShape, { M, N, K });
    const vecX = ci.inChannels % 4 === 0;
    const vecN = N % 4 === 0;
    this.variableNames = ['x', 'dy'];
    this.variableComponents = [vecX ? 4 : 1, vecN ? 4 : 1];
    this.outputComponent = vecN ? 4 : 1;
    this.shaderKey = `studio_conv2d_dw_${+vecX}${+vecN}`;

    const setup = `let inCp = ((${U('inC')} + 3) / 4) * 4;
let c0 = m0 % inCp; let tap = m0 / inCp;
let kw0 = tap % ${U('filterHW')}.y; let kh0 = tap / ${U('filterHW')}.y;
let ihOff = kh0 * ${U('dilation')}.x - ${U('pad')}.x; let iwOff = kw0 * ${U('dilation')}.y - ${U('pad')}.y;
let row0 = m0 < ${U('dimM')};
let cm = ${chanMask('c0', U('inC'))};
var kow = 0; var koh = 0; var kb = 0;`;
    const loadA = Q.map(
      (j) => `{
  let kin = k + ${j} < ${U('dimK')};
  let ih = koh * ${U('stride')}.x + ihOff; let iw = kow * ${U('stride')}.y + iwOff;
  t${j} = ${read4('x', vecX, `max(((kb * ${U('inHW')}.x + ih) * ${U('inHW')}.y + iw) * ${U('inC')} + c0, 0)`, `kin && row0 && ${inBounds('ih', 'iw', 'inHW')}`, 'cm')};
  ${advance('kow', U('outHW') + '.y', 'koh', U('outHW') + '.x', 'kb', 1)}
}`,
    ).join('\n');
    const loadB = Q.map((j) =>
      vecN
        ? `let b${j} = dy[(min(k + ${j}, ${U('dimK')} - 1) * ${U('dimN')} + n0) / 4];`
        : `let b${j} = vec4<f32>(${Q.map((c) => `dy[min(k + ${j}, ${U('dimK')} - 1) * ${U('dimN')} + min(n0 + ${c}, ${U('dimN')} - 1)]`).join(', ')});`,
    ).join('\n');
    this.src = makeGemmSource({
      aForm: 'km',
      bForm: 'kn',
      helpers: '',
      setup,
      load: `var t0 = vec4<f32>(0.0); var t1 = vec4<f32>(0.0); var t2 = vec4<f32>(0.0); var t3 = vec4<f32>(0.0);\n${loadA}\n${loadB}`,
      write: rowMajorWrite({
        base: '0',
        vec4Out: vecN,
        bias: 'none',
        activation: false,
        row: (i) => `(tap * ${U('inC')} + c0 + ${i})`,
        guard: (i) => `c0 + ${i} < ${U('inC')}`,
      }),
    });
  }
}
