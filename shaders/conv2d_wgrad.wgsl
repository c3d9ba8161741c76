// Conv2D backprop-filter (NHWC) as an implicit GEMM on the Studio core:
//   dW [fH*fW*pad4(Cin), Cout] = x-patches^T [fH*fW*pad4(Cin), B*oH*oW] . dy [B*oH*oW, Cout].
// M runs over (kh, kw, channel) with channels padded to 4, so a thread's 4 rows are channels
// c0..c0+3 of one tap (rows of padding channels are not written); K runs over the output
// pixels (b, oh, ow), advanced one at a time branch-free with select. Only A (x) loads are
// guarded (padding, borders, the K tail); dy loads use clamped indices.
// Flags: VEC_X (Cin % 4 == 0: x read as vec4; otherwise 4 scalar reads masked past Cin),
// VEC_N (Cout % 4 == 0: dy and result bound as vec4).
// Bindings (tfjs prelude): x, dy, result; uniforms dimM, dimN, dimK, alpha, pad, stride,
// dilation, filterHW, inHW, outHW, inC, outC (CONV_UNIFORMS in src/engine/kernels/conv2d.ts).
// The 4x unrolled lines are what the earlier TS builder emitted, token for token.

fn main() {
  let batch = i32(globalId.z);
  let n0 = i32(globalId.x) * 4;
  let m0 = i32(globalId.y) * 4;
  if (m0 >= uniforms.dimM || n0 >= uniforms.dimN) { return; }
  let inCp = ((uniforms.inC + 3) / 4) * 4;
  let c0 = m0 % inCp; let tap = m0 / inCp;
  let kw0 = tap % uniforms.filterHW.y; let kh0 = tap / uniforms.filterHW.y;
  let ihOff = kh0 * uniforms.dilation.x - uniforms.pad.x; let iwOff = kw0 * uniforms.dilation.y - uniforms.pad.y;
  let row0 = m0 < uniforms.dimM;
  let cm = (vec4<i32>(c0) + vec4<i32>(0, 1, 2, 3)) < vec4<i32>(uniforms.inC);
  var kow = 0; var koh = 0; var kb = 0;
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k = 0; k < uniforms.dimK; k = k + 4) {
    // t_j = x channels c0..c0+3 under tap (kh0, kw0) for output pixel k + j, 0 outside.
    var t0 = vec4<f32>(0.0); var t1 = vec4<f32>(0.0); var t2 = vec4<f32>(0.0); var t3 = vec4<f32>(0.0);
    {
      let kin = k + 0 < uniforms.dimK;
      let ih = koh * uniforms.stride.x + ihOff; let iw = kow * uniforms.stride.y + iwOff;
#if VEC_X
      t0 = select(vec4<f32>(0.0), x[(max(((kb * uniforms.inHW.x + ih) * uniforms.inHW.y + iw) * uniforms.inC + c0, 0)) / 4], kin && row0 && ih >= 0 && ih < uniforms.inHW.x && iw >= 0 && iw < uniforms.inHW.y);
#else
      t0 = select(vec4<f32>(0.0), vec4<f32>(x[max(((kb * uniforms.inHW.x + ih) * uniforms.inHW.y + iw) * uniforms.inC + c0, 0)], x[max(((kb * uniforms.inHW.x + ih) * uniforms.inHW.y + iw) * uniforms.inC + c0, 0) + 1], x[max(((kb * uniforms.inHW.x + ih) * uniforms.inHW.y + iw) * uniforms.inC + c0, 0) + 2], x[max(((kb * uniforms.inHW.x + ih) * uniforms.inHW.y + iw) * uniforms.inC + c0, 0) + 3]), cm & vec4<bool>(kin && row0 && ih >= 0 && ih < uniforms.inHW.x && iw >= 0 && iw < uniforms.inHW.y));
#endif
      kow = kow + 1; { let w1 = kow >= uniforms.outHW.y; kow = select(kow, 0, w1); koh = koh + select(0, 1, w1);
        let w2 = koh >= uniforms.outHW.x; koh = select(koh, 0, w2); kb = kb + select(0, 1, w2); }
    }
    {
      let kin = k + 1 < uniforms.dimK;
      let ih = koh * uniforms.stride.x + ihOff; let iw = kow * uniforms.stride.y + iwOff;
#if VEC_X
      t1 = select(vec4<f32>(0.0), x[(max(((kb * uniforms.inHW.x + ih) * uniforms.inHW.y + iw) * uniforms.inC + c0, 0)) / 4], kin && row0 && ih >= 0 && ih < uniforms.inHW.x && iw >= 0 && iw < uniforms.inHW.y);
#else
      t1 = select(vec4<f32>(0.0), vec4<f32>(x[max(((kb * uniforms.inHW.x + ih) * uniforms.inHW.y + iw) * uniforms.inC + c0, 0)], x[max(((kb * uniforms.inHW.x + ih) * uniforms.inHW.y + iw) * uniforms.inC + c0, 0) + 1], x[max(((kb * uniforms.inHW.x + ih) * uniforms.inHW.y + iw) * uniforms.inC + c0, 0) + 2], x[max(((kb * uniforms.inHW.x + ih) * uniforms.inHW.y + iw) * uniforms.inC + c0, 0) + 3]), cm & vec4<bool>(kin && row0 && ih >= 0 && ih < uniforms.inHW.x && iw >= 0 && iw < uniforms.inHW.y));
#endif
      kow = kow + 1; { let w1 = kow >= uniforms.outHW.y; kow = select(kow, 0, w1); koh = koh + select(0, 1, w1);
        let w2 = koh >= uniforms.outHW.x; koh = select(koh, 0, w2); kb = kb + select(0, 1, w2); }
    }
    {
      let kin = k + 2 < uniforms.dimK;
      let ih = koh * uniforms.stride.x + ihOff; let iw = kow * uniforms.stride.y + iwOff;
#if VEC_X
      t2 = select(vec4<f32>(0.0), x[(max(((kb * uniforms.inHW.x + ih) * uniforms.inHW.y + iw) * uniforms.inC + c0, 0)) / 4], kin && row0 && ih >= 0 && ih < uniforms.inHW.x && iw >= 0 && iw < uniforms.inHW.y);
#else
      t2 = select(vec4<f32>(0.0), vec4<f32>(x[max(((kb * uniforms.inHW.x + ih) * uniforms.inHW.y + iw) * uniforms.inC + c0, 0)], x[max(((kb * uniforms.inHW.x + ih) * uniforms.inHW.y + iw) * uniforms.inC + c0, 0) + 1], x[max(((kb * uniforms.inHW.x + ih) * uniforms.inHW.y + iw) * uniforms.inC + c0, 0) + 2], x[max(((kb * uniforms.inHW.x + ih) * uniforms.inHW.y + iw) * uniforms.inC + c0, 0) + 3]), cm & vec4<bool>(kin && row0 && ih >= 0 && ih < uniforms.inHW.x && iw >= 0 && iw < uniforms.inHW.y));
#endif
      kow = kow + 1; { let w1 = kow >= uniforms.outHW.y; kow = select(kow, 0, w1); koh = koh + select(0, 1, w1);
        let w2 = koh >= uniforms.outHW.x; koh = select(koh, 0, w2); kb = kb + select(0, 1, w2); }
    }
    {
      let kin = k + 3 < uniforms.dimK;
      let ih = koh * uniforms.stride.x + ihOff; let iw = kow * uniforms.stride.y + iwOff;
#if VEC_X
      t3 = select(vec4<f32>(0.0), x[(max(((kb * uniforms.inHW.x + ih) * uniforms.inHW.y + iw) * uniforms.inC + c0, 0)) / 4], kin && row0 && ih >= 0 && ih < uniforms.inHW.x && iw >= 0 && iw < uniforms.inHW.y);
#else
      t3 = select(vec4<f32>(0.0), vec4<f32>(x[max(((kb * uniforms.inHW.x + ih) * uniforms.inHW.y + iw) * uniforms.inC + c0, 0)], x[max(((kb * uniforms.inHW.x + ih) * uniforms.inHW.y + iw) * uniforms.inC + c0, 0) + 1], x[max(((kb * uniforms.inHW.x + ih) * uniforms.inHW.y + iw) * uniforms.inC + c0, 0) + 2], x[max(((kb * uniforms.inHW.x + ih) * uniforms.inHW.y + iw) * uniforms.inC + c0, 0) + 3]), cm & vec4<bool>(kin && row0 && ih >= 0 && ih < uniforms.inHW.x && iw >= 0 && iw < uniforms.inHW.y));
#endif
      kow = kow + 1; { let w1 = kow >= uniforms.outHW.y; kow = select(kow, 0, w1); koh = koh + select(0, 1, w1);
        let w2 = koh >= uniforms.outHW.x; koh = select(koh, 0, w2); kb = kb + select(0, 1, w2); }
    }
    // b_j = dy[k + j, n0..n0+3] (clamped).
#if VEC_N
    let b0 = dy[(min(k + 0, uniforms.dimK - 1) * uniforms.dimN + n0) / 4];
    let b1 = dy[(min(k + 1, uniforms.dimK - 1) * uniforms.dimN + n0) / 4];
    let b2 = dy[(min(k + 2, uniforms.dimK - 1) * uniforms.dimN + n0) / 4];
    let b3 = dy[(min(k + 3, uniforms.dimK - 1) * uniforms.dimN + n0) / 4];
#else
    let b0 = vec4<f32>(dy[min(k + 0, uniforms.dimK - 1) * uniforms.dimN + min(n0 + 0, uniforms.dimN - 1)], dy[min(k + 0, uniforms.dimK - 1) * uniforms.dimN + min(n0 + 1, uniforms.dimN - 1)], dy[min(k + 0, uniforms.dimK - 1) * uniforms.dimN + min(n0 + 2, uniforms.dimN - 1)], dy[min(k + 0, uniforms.dimK - 1) * uniforms.dimN + min(n0 + 3, uniforms.dimN - 1)]);
    let b1 = vec4<f32>(dy[min(k + 1, uniforms.dimK - 1) * uniforms.dimN + min(n0 + 0, uniforms.dimN - 1)], dy[min(k + 1, uniforms.dimK - 1) * uniforms.dimN + min(n0 + 1, uniforms.dimN - 1)], dy[min(k + 1, uniforms.dimK - 1) * uniforms.dimN + min(n0 + 2, uniforms.dimN - 1)], dy[min(k + 1, uniforms.dimK - 1) * uniforms.dimN + min(n0 + 3, uniforms.dimN - 1)]);
    let b2 = vec4<f32>(dy[min(k + 2, uniforms.dimK - 1) * uniforms.dimN + min(n0 + 0, uniforms.dimN - 1)], dy[min(k + 2, uniforms.dimK - 1) * uniforms.dimN + min(n0 + 1, uniforms.dimN - 1)], dy[min(k + 2, uniforms.dimK - 1) * uniforms.dimN + min(n0 + 2, uniforms.dimN - 1)], dy[min(k + 2, uniforms.dimK - 1) * uniforms.dimN + min(n0 + 3, uniforms.dimN - 1)]);
    let b3 = vec4<f32>(dy[min(k + 3, uniforms.dimK - 1) * uniforms.dimN + min(n0 + 0, uniforms.dimN - 1)], dy[min(k + 3, uniforms.dimK - 1) * uniforms.dimN + min(n0 + 1, uniforms.dimN - 1)], dy[min(k + 3, uniforms.dimK - 1) * uniforms.dimN + min(n0 + 2, uniforms.dimN - 1)], dy[min(k + 3, uniforms.dimK - 1) * uniforms.dimN + min(n0 + 3, uniforms.dimN - 1)]);
#endif
    acc0 = acc0 + t0.x * b0 + t1.x * b1 + t2.x * b2 + t3.x * b3;
    acc1 = acc1 + t0.y * b0 + t1.y * b1 + t2.y * b2 + t3.y * b3;
    acc2 = acc2 + t0.z * b0 + t1.z * b1 + t2.z * b2 + t3.z * b3;
    acc3 = acc3 + t0.w * b0 + t1.w * b1 + t2.w * b2 + t3.w * b3;
  }
  // GEMM row m0+i is dW row (tap, c0 + i); padding channels are skipped.
  if (m0 + 0 < uniforms.dimM && c0 + 0 < uniforms.inC) {
    let v0 = acc0;
    let o0 = 0 + (tap * uniforms.inC + c0 + 0) * uniforms.dimN + n0;
#if VEC_N
    result[o0 / 4] = v0;
#else
    if (n0 + 0 < uniforms.dimN) { result[o0 + 0] = v0.x; }
    if (n0 + 1 < uniforms.dimN) { result[o0 + 1] = v0.y; }
    if (n0 + 2 < uniforms.dimN) { result[o0 + 2] = v0.z; }
    if (n0 + 3 < uniforms.dimN) { result[o0 + 3] = v0.w; }
#endif
  }
  if (m0 + 1 < uniforms.dimM && c0 + 1 < uniforms.inC) {
    let v1 = acc1;
    let o1 = 0 + (tap * uniforms.inC + c0 + 1) * uniforms.dimN + n0;
#if VEC_N
    result[o1 / 4] = v1;
#else
    if (n0 + 0 < uniforms.dimN) { result[o1 + 0] = v1.x; }
    if (n0 + 1 < uniforms.dimN) { result[o1 + 1] = v1.y; }
    if (n0 + 2 < uniforms.dimN) { result[o1 + 2] = v1.z; }
    if (n0 + 3 < uniforms.dimN) { result[o1 + 3] = v1.w; }
#endif
  }
  if (m0 + 2 < uniforms.dimM && c0 + 2 < uniforms.inC) {
    let v2 = acc2;
    let o2 = 0 + (tap * uniforms.inC + c0 + 2) * uniforms.dimN + n0;
#if VEC_N
    result[o2 / 4] = v2;
#else
    if (n0 + 0 < uniforms.dimN) { result[o2 + 0] = v2.x; }
    if (n0 + 1 < uniforms.dimN) { result[o2 + 1] = v2.y; }
    if (n0 + 2 < uniforms.dimN) { result[o2 + 2] = v2.z; }
    if (n0 + 3 < uniforms.dimN) { result[o2 + 3] = v2.w; }
#endif
  }
  if (m0 + 3 < uniforms.dimM && c0 + 3 < uniforms.inC) {
    let v3 = acc3;
    let o3 = 0 + (tap * uniforms.inC + c0 + 3) * uniforms.dimN + n0;
#if VEC_N
    result[o3 / 4] = v3;
#else
    if (n0 + 0 < uniforms.dimN) { result[o3 + 0] = v3.x; }
    if (n0 + 1 < uniforms.dimN) { result[o3 + 1] = v3.y; }
    if (n0 + 2 < uniforms.dimN) { result[o3 + 2] = v3.z; }
    if (n0 + 3 < uniforms.dimN) { result[o3 + 3] = v3.w; }
#endif
  }
}
