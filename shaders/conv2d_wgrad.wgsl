// Conv2D backprop-filter (NHWC) as an implicit GEMM on the Studio core:
//   dW [fH*fW*pad4(Cin), Cout] = x-patches^T [fH*fW*pad4(Cin), B*oH*oW] . dy [B*oH*oW, Cout].
// M runs over (kh, kw, channel) with channels padded to 4, so a thread's 4 rows are channels
// c0..c0+3 of one tap (rows of padding channels are not written): one x load per K step.
// A thread owns 4 (or, WIDE_N, 8) output columns. K runs over the output pixels (b, oh, ow) as
// three nested loops limited to the pixels whose input lies inside the image for this thread's
// tap, so the inner loop has no border test and only steps indices. dy loads use clamped
// columns (never written).
// Flags: VEC_X (Cin % 4 == 0: x read as vec4; otherwise 4 scalar reads masked past Cin),
// VEC_N (Cout % 4 == 0: dy and result bound as vec4), WIDE_N (8 columns per thread: the x
// load, the border test and the index steps are shared by twice the FMAs; pays where K is
// short, as in late ResNet stages).
// Bindings (tfjs prelude): x, dy, result; uniforms dimM, dimN, dimK, alpha, pad, stride,
// dilation, filterHW, inHW, outHW, inC, outC (CONV_UNIFORMS in src/engine/kernels/conv2d.ts).

// dW[tap, c, n..n+3] = v, dropping padding channels and columns past N.
fn storeRow(tap : i32, c : i32, n : i32, v : vec4<f32>) {
  if (c >= uniforms.inC || n >= uniforms.dimN) { return; }
  let o = (tap * uniforms.inC + c) * uniforms.dimN + n;
#if VEC_N
  result[o >> 2u] = v;
#else
  result[o] = v.x;
  if (n + 1 < uniforms.dimN) { result[o + 1] = v.y; }
  if (n + 2 < uniforms.dimN) { result[o + 2] = v.z; }
  if (n + 3 < uniforms.dimN) { result[o + 3] = v.w; }
#endif
}

// dy[k, n..n+3] at krow = k * N (columns clamped: never written).
fn loadDy(krow : i32, n : i32) -> vec4<f32> {
#if VEC_N
  return dy[(krow + min(n, uniforms.dimN - 4)) >> 2u];
#else
  let nl = uniforms.dimN - 1;
  return vec4<f32>(dy[krow + min(n, nl)], dy[krow + min(n + 1, nl)], dy[krow + min(n + 2, nl)], dy[krow + min(n + 3, nl)]);
#endif
}

fn main() {
#if WIDE_N
  let n0 = i32(globalId.x) * 8;
#else
  let n0 = i32(globalId.x) * 4;
#endif
  let n1 = n0 + 4;
  let m0 = i32(globalId.y) * 4;
  if (m0 >= uniforms.dimM || n0 >= uniforms.dimN) { return; }
  let inCp = ((uniforms.inC + 3) / 4) * 4;
  let c0 = m0 % inCp; let tap = m0 / inCp;
  let kw0 = tap % uniforms.filterHW.y; let kh0 = tap / uniforms.filterHW.y;
  let ihOff = kh0 * uniforms.dilation.x - uniforms.pad.x; let iwOff = kw0 * uniforms.dilation.y - uniforms.pad.y;
  let cm = (vec4<i32>(c0) + vec4<i32>(0, 1, 2, 3)) < vec4<i32>(uniforms.inC);
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
#if WIDE_N
  var acc4 = vec4<f32>(0.0);
  var acc5 = vec4<f32>(0.0);
  var acc6 = vec4<f32>(0.0);
  var acc7 = vec4<f32>(0.0);
#endif
  // The tap is fixed per thread, so the output pixels whose input pixel lies inside the image
  // form one rectangle [ohLo, ohHi) x [owLo, owHi): loop over just that (no border tests, no
  // zero products; in a 2x2 late-stage map with a 3x3 tap, under half the pixels are inside).
  let sh = uniforms.stride.x; let sw = uniforms.stride.y;
  let ohLo = select(0, (sh - 1 - ihOff) / sh, ihOff < 0);
  let owLo = select(0, (sw - 1 - iwOff) / sw, iwOff < 0);
  let ohHi = select(0, min(uniforms.outHW.x, (uniforms.inHW.x - 1 - ihOff) / sh + 1), ihOff < uniforms.inHW.x);
  let owHi = select(0, min(uniforms.outHW.y, (uniforms.inHW.y - 1 - iwOff) / sw + 1), iwOff < uniforms.inHW.y);
  let nb = uniforms.dimK / (uniforms.outHW.x * uniforms.outHW.y);
  let xStep = sw * uniforms.inC;
  for (var b = 0; b < nb; b = b + 1) {
    for (var oh = ohLo; oh < ohHi; oh = oh + 1) {
      let ih = oh * sh + ihOff;
      // x[b, ih, iw, c0] and dy[k, 0] for the row's first pixel (ow = owLo); k = (b*oH + oh)*oW + ow.
      var xi = ((b * uniforms.inHW.x + ih) * uniforms.inHW.y + owLo * sw + iwOff) * uniforms.inC + c0;
      var krow = ((b * uniforms.outHW.x + oh) * uniforms.outHW.y + owLo) * uniforms.dimN;
      for (var ow = owLo; ow < owHi; ow = ow + 1) {
        // t = x channels c0..c0+3 under tap (kh0, kw0) for output pixel k.
#if VEC_X
        let t = x[xi >> 2u];
#else
        let t = select(vec4<f32>(0.0), vec4<f32>(x[xi], x[xi + 1], x[xi + 2], x[xi + 3]), cm);
#endif
        let bv = loadDy(krow, n0);
        acc0 = acc0 + t.x * bv;
        acc1 = acc1 + t.y * bv;
        acc2 = acc2 + t.z * bv;
        acc3 = acc3 + t.w * bv;
#if WIDE_N
        let bw = loadDy(krow, n1);
        acc4 = acc4 + t.x * bw;
        acc5 = acc5 + t.y * bw;
        acc6 = acc6 + t.z * bw;
        acc7 = acc7 + t.w * bw;
#endif
        xi = xi + xStep; krow = krow + uniforms.dimN;
      }
    }
  }
  // GEMM row m0+i is dW row (tap, c0 + i).
  storeRow(tap, c0, n0, acc0);
  storeRow(tap, c0 + 1, n0, acc1);
  storeRow(tap, c0 + 2, n0, acc2);
  storeRow(tap, c0 + 3, n0, acc3);
#if WIDE_N
  storeRow(tap, c0, n1, acc4);
  storeRow(tap, c0 + 1, n1, acc5);
  storeRow(tap, c0 + 2, n1, acc6);
  storeRow(tap, c0 + 3, n1, acc7);
#endif
}
