// Conv2D (NHWC) as implicit GEMM on the shared core, all three directions:
//   forward:         out[b,oh,ow,:]  = x-patches [B·oH·oW, fH·fW·Cin] · W [fH·fW·Cin, Cout]
//   backprop-input:  dx[b,ih,iw,:]   = dy-patches [B·H·W, fH·fW·Cout] · Wᵀ (W read as [Cin, fH·fW·Cout])
//   backprop-filter: dW[kh,kw,c,:]   = x-patchesᵀ [fH·fW·Cin, B·oH·oW] · dy [B·oH·oW, Cout]
// The patch index math (stride, dilation, padding, image borders) runs inside the loads, with
// the K-axis coordinates advanced incrementally (no division in the inner loop). Channel
// counts that are multiples of 4 read vec4s; others fall back to guarded scalar loads.
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

export class Conv2DProgram extends ConvGemmProgram {
  constructor(ci: ConvInfo, bias: BiasKind, activation: Activation | null) {
    const M = ci.batchSize * ci.outHeight * ci.outWidth;
    const N = ci.outChannels;
    const K = ci.filterHeight * ci.filterWidth * ci.inChannels;
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
    const state = 'var kc = 0; var kw = 0; var kh = 0;';
    const xIndex = (i: number) => `xb${i} + (ih${i} * ${U('inHW')}.y + iw${i}) * ${U('inC')} + kc`;
    let loadA: string;
    if (vecX) {
      loadA =
        `let dh = kh * ${U('dilation')}.x; let dw = kw * ${U('dilation')}.y;\n` +
        Q.map(
          (i) => `let ih${i} = ih0${i} + dh; let iw${i} = iw0${i} + dw;
let a${i} = select(vec4<f32>(0.0), x[(${xIndex(i)}) / 4], row${i} && ${inBounds(`ih${i}`, `iw${i}`, 'inHW')});`,
        ).join('\n') +
        `\n${advance('kc', U('inC'), 'kw', U('filterHW') + '.y', 'kh', 4)}`;
    } else {
      // Scalar channels: 4 consecutive K entries may straddle filter taps, so each K entry
      // gets its own (kh, kw, kc) and the slice is built in the 'km' form (t_j = A[m0.., k+j]).
      loadA = Q.map(
        (j) => `{
  let dh = kh * ${U('dilation')}.x; let dw = kw * ${U('dilation')}.y; let kin = k + ${j} < ${U('dimK')};
  ${Q.map((i) => `let ih${i} = ih0${i} + dh; let iw${i} = iw0${i} + dw;\n  e${j}${i} = x[${xIndex(i)}] * f32(kin && ${inBounds(`ih${i}`, `iw${i}`, 'inHW')});`).join('\n  ')}
  ${advance('kc', U('inC'), 'kw', U('filterHW') + '.y', 'kh', 1)}
}`,
      ).join('\n');
      loadA =
        Q.map(
          (j) => `var e${j}0 = 0.0; var e${j}1 = 0.0; var e${j}2 = 0.0; var e${j}3 = 0.0;`,
        ).join('\n') +
        '\n' +
        loadA +
        '\n' +
        Q.map((j) => `let t${j} = vec4<f32>(e${j}0, e${j}1, e${j}2, e${j}3);`).join('\n');
    }
    const loadB = Q.map((j) =>
      vecW
        ? `let b${j} = w[(min(k + ${j}, ${U('dimK')} - 1) * ${U('dimN')} + n0) / 4];`
        : `let b${j} = vec4<f32>(${Q.map((c) => `w[min(k + ${j}, ${U('dimK')} - 1) * ${U('dimN')} + min(n0 + ${c}, ${U('dimN')} - 1)]`).join(', ')});`,
    ).join('\n');
    this.src = makeGemmSource({
      aForm: vecX ? 'mk' : 'km',
      bForm: 'kn',
      helpers: activation ? activationFn(activation) : '',
      setup: `${setup}\n${state}`,
      load: `${loadB}\n${loadA}`,
      write: rowMajorWrite({ base: '0', vec4Out: vecW, bias, activation: activation !== null }),
    });
  }
}

// ************* backprop input *************

export class Conv2DBackpropInputProgram extends ConvGemmProgram {
  constructor(ci: ConvInfo) {
    const M = ci.batchSize * ci.inHeight * ci.inWidth;
    const N = ci.inChannels;
    const K = ci.filterHeight * ci.filterWidth * ci.outChannels;
    super(ci.inShape, { M, N, K });
    const vecK = ci.outChannels % 4 === 0;
    const vecOut = N % 4 === 0;
    const unitStride = ci.strideHeight === 1 && ci.strideWidth === 1;
    this.variableNames = ['dy', 'w'];
    this.variableComponents = [vecK ? 4 : 1, vecK ? 4 : 1];
    this.outputComponent = vecOut ? 4 : 1;
    this.shaderKey = `studio_conv2d_dx_${+vecK}${+vecOut}${+unitStride}`;

    const setup = Q.map(
      (i) => `let r${i} = m0 + ${i};
let iw${i} = r${i} % ${U('inHW')}.y; let ih${i} = (r${i} / ${U('inHW')}.y) % ${U('inHW')}.x;
let bt${i} = r${i} / (${U('inHW')}.x * ${U('inHW')}.y);
let th0${i} = ih${i} + ${U('pad')}.x; let tw0${i} = iw${i} + ${U('pad')}.y;
let dyb${i} = bt${i} * ${U('outHW')}.x * ${U('outHW')}.y * ${U('outC')}; let row${i} = r${i} < ${U('dimM')};`,
    ).join('\n');
    const state = 'var koc = 0; var kw = 0; var kh = 0;';
    // Output position (oh, ow) that tap (kh, kw) maps input pixel i to, and whether it exists.
    const tap = (i: number) => {
      const pos = `let th${i} = th0${i} - dh; let tw${i} = tw0${i} - dw;`;
      if (unitStride)
        return `${pos} let oh${i} = th${i}; let ow${i} = tw${i}; let ok${i} = row${i} && ${inBounds(`oh${i}`, `ow${i}`, 'outHW')};`;
      return `${pos} let oh${i} = th${i} / ${U('stride')}.x; let ow${i} = tw${i} / ${U('stride')}.y;
let ok${i} = row${i} && th${i} >= 0 && tw${i} >= 0 && oh${i} * ${U('stride')}.x == th${i} && ow${i} * ${U('stride')}.y == tw${i} && oh${i} < ${U('outHW')}.x && ow${i} < ${U('outHW')}.y;`;
    };
    const dyIndex = (i: number) =>
      `dyb${i} + (oh${i} * ${U('outHW')}.y + ow${i}) * ${U('outC')} + koc`;
    // W is [fH, fW, Cin, Cout]: element (kh, kw, n, koc).
    const wIndex = (n: string) =>
      `((kh * ${U('filterHW')}.y + kw) * ${U('inC')} + ${n}) * ${U('outC')} + koc`;
    let load: string;
    if (vecK) {
      load =
        `let dh = kh * ${U('dilation')}.x; let dw = kw * ${U('dilation')}.y;\n` +
        Q.map(
          (i) => `${tap(i)}\nlet a${i} = select(vec4<f32>(0.0), dy[(${dyIndex(i)}) / 4], ok${i});`,
        ).join('\n') +
        '\n' +
        Q.map((j) => `let c${j} = w[(${wIndex(`min(n0 + ${j}, ${U('dimN')} - 1)`)}) / 4];`).join(
          '\n',
        ) +
        `\n${advance('koc', U('outC'), 'kw', U('filterHW') + '.y', 'kh', 4)}`;
    } else {
      load =
        Q.map(
          (j) =>
            `var e${j}0 = 0.0; var e${j}1 = 0.0; var e${j}2 = 0.0; var e${j}3 = 0.0; var g${j}0 = 0.0; var g${j}1 = 0.0; var g${j}2 = 0.0; var g${j}3 = 0.0;`,
        ).join('\n') +
        '\n' +
        Q.map(
          (j) => `{
  let dh = kh * ${U('dilation')}.x; let dw = kw * ${U('dilation')}.y; let kin = k + ${j} < ${U('dimK')};
  ${Q.map((i) => `${tap(i)}\n  e${j}${i} = dy[${dyIndex(i)}] * f32(kin && ok${i});`).join('\n  ')}
  ${Q.map((c) => `g${j}${c} = w[${wIndex(`min(n0 + ${c}, ${U('dimN')} - 1)`)}];`).join('\n  ')}
  ${advance('koc', U('outC'), 'kw', U('filterHW') + '.y', 'kh', 1)}
}`,
        ).join('\n') +
        '\n' +
        Q.map(
          (j) =>
            `let t${j} = vec4<f32>(e${j}0, e${j}1, e${j}2, e${j}3);\nlet b${j} = vec4<f32>(g${j}0, g${j}1, g${j}2, g${j}3);`,
        ).join('\n');
    }
    this.src = makeGemmSource({
      aForm: vecK ? 'mk' : 'km',
      bForm: vecK ? 'nk' : 'kn',
      helpers: '',
      setup: `${setup}\n${state}`,
      load,
      write: rowMajorWrite({ base: '0', vec4Out: vecOut, bias: 'none', activation: false }),
    });
  }
}

// ************* backprop filter *************

export class Conv2DBackpropFilterProgram extends ConvGemmProgram {
  constructor(ci: ConvInfo) {
    const M = ci.filterHeight * ci.filterWidth * ci.inChannels;
    const N = ci.outChannels;
    const K = ci.batchSize * ci.outHeight * ci.outWidth;
    super(ci.filterShape, { M, N, K });
    const vecX = ci.inChannels % 4 === 0;
    const vecN = N % 4 === 0;
    this.variableNames = ['x', 'dy'];
    this.variableComponents = [vecX ? 4 : 1, vecN ? 4 : 1];
    this.outputComponent = vecN ? 4 : 1;
    this.shaderKey = `studio_conv2d_dw_${+vecX}${+vecN}`;

    const setup = Q.map(
      (i) => `let r${i} = m0 + ${i};
let c${i} = r${i} % ${U('inC')}; let kw${i} = (r${i} / ${U('inC')}) % ${U('filterHW')}.y; let kh${i} = r${i} / (${U('inC')} * ${U('filterHW')}.y);
let ihOff${i} = kh${i} * ${U('dilation')}.x - ${U('pad')}.x; let iwOff${i} = kw${i} * ${U('dilation')}.y - ${U('pad')}.y;
let row${i} = r${i} < ${U('dimM')};`,
    ).join('\n');
    const state = 'var kow = 0; var koh = 0; var kb = 0;';
    const pos = (i: number) =>
      `let ih${i} = koh * ${U('stride')}.x + ihOff${i}; let iw${i} = kow * ${U('stride')}.y + iwOff${i};`;
    const xIndex = (i: number) =>
      `((kb * ${U('inHW')}.x + ih${i}) * ${U('inHW')}.y + iw${i}) * ${U('inC')} + c${i}`;
    const loadA = Q.map((j) => {
      const body = vecX
        ? // Rows m0..m0+3 are channels c..c+3 of one tap, contiguous in x: one vec4.
          `${pos(0)}\n  t${j} = select(vec4<f32>(0.0), x[(${xIndex(0)}) / 4], kin && row0 && ${inBounds('ih0', 'iw0', 'inHW')});`
        : Q.map(
            (i) =>
              `${pos(i)}\n  t${j}.${'xyzw'[i]} = x[${xIndex(i)}] * f32(kin && ${inBounds(`ih${i}`, `iw${i}`, 'inHW')});`,
          ).join('\n  ');
      return `{
  let kin = k + ${j} < ${U('dimK')};
  ${body}
  ${advance('kow', U('outHW') + '.y', 'koh', U('outHW') + '.x', 'kb', 1)}
}`;
    }).join('\n');
    const loadB = Q.map((j) =>
      vecN
        ? `let b${j} = dy[(min(k + ${j}, ${U('dimK')} - 1) * ${U('dimN')} + n0) / 4];`
        : `let b${j} = vec4<f32>(${Q.map((c) => `dy[min(k + ${j}, ${U('dimK')} - 1) * ${U('dimN')} + min(n0 + ${c}, ${U('dimN')} - 1)]`).join(', ')});`,
    ).join('\n');
    this.src = makeGemmSource({
      aForm: 'km',
      bForm: 'kn',
      helpers: '',
      setup: `${setup}\n${state}`,
      load: `var t0 = vec4<f32>(0.0); var t1 = vec4<f32>(0.0); var t2 = vec4<f32>(0.0); var t3 = vec4<f32>(0.0);\n${loadA}\n${loadB}`,
      write: rowMajorWrite({ base: '0', vec4Out: vecN, bias: 'none', activation: false }),
    });
  }
}
