// Conv2D (NHWC) as implicit GEMM on the shared core, all three directions (the WGSL is
// shaders/conv2d_fwd.wgsl, conv2d_dgrad.wgsl and conv2d_wgrad.wgsl; each program class here is
// its flags, uniforms and dispatch):
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
import type * as tf from '@tensorflow/tfjs';
import conv2dDgradWgsl from '../../../shaders/conv2d_dgrad.wgsl?raw';
import conv2dFwdWgsl from '../../../shaders/conv2d_fwd.wgsl?raw';
import conv2dFwdFewcWgsl from '../../../shaders/conv2d_fwd_fewc.wgsl?raw';
import epilogueWgsl from '../../../shaders/epilogue.wgsl?raw';
import conv2dWgradWgsl from '../../../shaders/conv2d_wgrad.wgsl?raw';
import {
  type Activation,
  activationFlags,
  type BiasKind,
  DEFAULT_VARIANT,
  GemmProgram,
  type GemmVariant,
} from './gemm';
import { instantiateWgsl } from './wgslTemplate';

type ConvInfo = tf.backend_util.Conv2DInfo;

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

/** The forward and backprop-filter families: GEMM uniforms, then the conv ones. */
abstract class ConvGemmProgram extends GemmProgram {
  constructor(
    outputShape: number[],
    dims: { M: number; N: number; K: number },
    wg: readonly [number, number],
    tileN: number,
    src: string,
  ) {
    super(outputShape, { batch: 1, ...dims }, wg, tileN, src);
    this.uniforms += CONV_UNIFORMS;
  }
}

// ************* forward *************

/** Channel counts rounded up to a multiple of 4: the K axis steps 4 channels at a time. */
export const pad4 = (c: number) => Math.ceil(c / 4) * 4;

export class Conv2DProgram extends ConvGemmProgram {
  constructor(
    ci: ConvInfo,
    bias: BiasKind,
    activation: Activation | null,
    variant: GemmVariant = DEFAULT_VARIANT,
  ) {
    // K runs over (kh, kw, channel) with channels padded to 4: uniforms.dimK = fH·fW·pad4(Cin).
    const M = ci.batchSize * ci.outHeight * ci.outWidth;
    const N = ci.outChannels;
    const K = ci.filterHeight * ci.filterWidth * pad4(ci.inChannels);
    const vecX = ci.inChannels % 4 === 0;
    const vecW = N % 4 === 0;
    // 8 output columns per thread only with Cout % 4 == 0.
    const tileN = variant.tileN === 8 && vecW ? 8 : 4;
    const src = instantiateWgsl(`${epilogueWgsl}\n${conv2dFwdWgsl}`, {
      VEC_X: vecX,
      VEC_W: vecW,
      VEC_OUT: vecW,
      WIDE_N: tileN === 8,
      BIAS_COLUMN: bias === 'column',
      BIAS_SCALAR: bias === 'scalar',
      ...activationFlags(activation),
    });
    super(ci.outShape, { M, N, K }, variant.wg, tileN, src);
    this.variableNames = ['x', 'w'];
    this.variableComponents = [vecX ? 4 : 1, vecW ? 4 : 1];
    if (bias !== 'none') {
      this.variableNames.push('bias');
      this.variableComponents.push(bias === 'column' && vecW ? 4 : 1);
    }
    this.outputComponent = vecW ? 4 : 1;
    this.shaderKey = `studio_conv2d_${+vecX}${+vecW}_${bias}_${activation}_${this.variantKey}`;
  }
}

/** Whether Conv2DFewChannelsProgram covers this conv: 1-3 input channels, Cout % 16 == 0. */
export const fewChannels = (ci: ConvInfo) => ci.inChannels < 4 && ci.outChannels % 16 === 0;

/** The few-channel forward conv's own workgroup: 4 threads across N, 16 along M. */
const FEWC_WG = [4, 16] as const;

/**
 * The forward conv for 1-3 input channels (RGB and grayscale stems): 4 pixels x 16 channels per
 * thread, exactly Cin channels per tap (shaders/conv2d_fwd_fewc.wgsl). uniforms.dimK is unused.
 */
export class Conv2DFewChannelsProgram extends ConvGemmProgram {
  constructor(
    ci: ConvInfo,
    bias: BiasKind,
    activation: Activation | null,
    variant: GemmVariant = DEFAULT_VARIANT,
  ) {
    const M = ci.batchSize * ci.outHeight * ci.outWidth;
    const N = ci.outChannels;
    const src = instantiateWgsl(`${epilogueWgsl}\n${conv2dFwdFewcWgsl}`, {
      VEC_OUT: true,
      BIAS_COLUMN: bias === 'column',
      BIAS_SCALAR: bias === 'scalar',
      ...activationFlags(activation),
    });
    // Its own 4x16 threads under the default workgroup (4 threads across N: a 64-channel stem
    // fills the workgroup's width), another variant's shape otherwise; the tile is always 16.
    const wg = variant.wg[0] === 8 && variant.wg[1] === 8 ? FEWC_WG : variant.wg;
    super(ci.outShape, { M, N, K: ci.filterHeight * ci.filterWidth * ci.inChannels }, wg, 16, src);
    this.variableNames = ['x', 'w'];
    this.variableComponents = [1, 4];
    if (bias !== 'none') {
      this.variableNames.push('bias');
      this.variableComponents.push(bias === 'column' ? 4 : 1);
    }
    this.outputComponent = 4;
    this.shaderKey = `studio_conv2d_fewc_${bias}_${activation}_${this.variantKey}`;
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
  constructor(ci: ConvInfo, p: DgradPhase, variant: GemmVariant = DEFAULT_VARIANT) {
    const vecK = ci.outChannels % 4 === 0;
    const vecOut = ci.inChannels % 4 === 0;
    const src = instantiateWgsl(`${epilogueWgsl}\n${conv2dDgradWgsl}`, {
      VEC_K: vecK,
      VEC_OUT: vecOut,
      WIDE_N: variant.tileN === 8,
      BIAS_COLUMN: false,
      BIAS_SCALAR: false,
      ...activationFlags(null),
    });
    super(ci.inShape, dgradDims(ci, p), variant.wg, variant.tileN, src);
    this.uniforms += DGRAD_UNIFORMS;
    this.variableNames = ['dy', 'w'];
    this.variableComponents = [vecK ? 4 : 1, vecK ? 4 : 1];
    this.outputComponent = vecOut ? 4 : 1;
    this.shaderKey = `studio_conv2d_dx_${+vecK}${+vecOut}_${this.variantKey}`;
  }
}

// ************* backprop filter *************

export class Conv2DBackpropFilterProgram extends ConvGemmProgram {
  constructor(ci: ConvInfo, variant: GemmVariant = DEFAULT_VARIANT) {
    // M runs over (kh, kw, channel) with channels padded to 4 (dimM = fH·fW·pad4(Cin)), so a
    // thread's 4 rows are channels c..c+3 of one tap; rows of padding channels are not written.
    const M = ci.filterHeight * ci.filterWidth * pad4(ci.inChannels);
    const N = ci.outChannels;
    const K = ci.batchSize * ci.outHeight * ci.outWidth;
    const vecX = ci.inChannels % 4 === 0;
    const vecN = N % 4 === 0;
    const src = instantiateWgsl(conv2dWgradWgsl, {
      VEC_X: vecX,
      VEC_N: vecN,
      WIDE_N: variant.tileN === 8,
    });
    super(ci.filterShape, { M, N, K }, variant.wg, variant.tileN, src);
    this.variableNames = ['x', 'dy'];
    this.variableComponents = [vecX ? 4 : 1, vecN ? 4 : 1];
    this.outputComponent = vecN ? 4 : 1;
    this.shaderKey = `studio_conv2d_dw_${+vecX}${+vecN}_${this.variantKey}`;
  }
}
