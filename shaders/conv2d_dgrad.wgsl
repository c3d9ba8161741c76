// Conv2D backprop-input (NHWC) as an implicit GEMM on the Studio core, one dispatch per output
// phase of a strided conv (sub-pixel decomposition, `dgradPhases` in conv2d.ts): the input
// pixels ih = phase.x + stride.x*i', iw = phase.y + stride.y*j' are reached only by the taps
// kh = k0.x + stride.x*t, kw = k0.y + stride.y*u, so each phase is a small dense GEMM
//   dx-phase [B*hp*wp, Cin] = dy-patches [B*hp*wp, th*tw*pad4(Cout)] . W^T
// (W [fH, fW, Cin, Cout] read in place as B[k = (t, u, koc), n]; stride 1 = one phase).
// The K coordinates (koc, tw, th) advance branch-free with select. Only A (dy) loads are
// guarded; W loads use clamped columns (never written) and meet zeros in A past Cout.
// Flags: VEC_K (Cout % 4 == 0: dy and w read as vec4; otherwise 4 scalar reads, dy masked
// past Cout), VEC_OUT (Cin % 4 == 0: result bound as vec4).
// Bindings (tfjs prelude): dy, w, result; uniforms dimM, dimN, dimK, alpha, stride, k0, taps, q,
// phase, sub, filterHW, inHW, outHW, inC, outC (DGRAD_UNIFORMS in src/engine/kernels/conv2d.ts).
// The 4x unrolled lines are what the earlier TS builder emitted, token for token.

fn main() {
  let batch = i32(globalId.z);
  let n0 = i32(globalId.x) * 4;
  let m0 = i32(globalId.y) * 4;
  if (m0 >= uniforms.dimM || n0 >= uniforms.dimN) { return; }
  // Row r of the phase GEMM is pixel (b, i', j'); its input pixel is phase + stride*(i', j').
  let r0 = m0 + 0;
  let jp0 = r0 % uniforms.sub.y; let ip0 = (r0 / uniforms.sub.y) % uniforms.sub.x;
  let bt0 = r0 / (uniforms.sub.x * uniforms.sub.y);
  let xrow0 = (bt0 * uniforms.inHW.x + uniforms.phase.x + uniforms.stride.x * ip0) * uniforms.inHW.y + uniforms.phase.y + uniforms.stride.y * jp0;
  let oh00 = ip0 + uniforms.q.x; let ow00 = jp0 + uniforms.q.y;
  let dyb0 = bt0 * uniforms.outHW.x * uniforms.outHW.y * uniforms.outC; let row0 = r0 < uniforms.dimM;
  let r1 = m0 + 1;
  let jp1 = r1 % uniforms.sub.y; let ip1 = (r1 / uniforms.sub.y) % uniforms.sub.x;
  let bt1 = r1 / (uniforms.sub.x * uniforms.sub.y);
  let xrow1 = (bt1 * uniforms.inHW.x + uniforms.phase.x + uniforms.stride.x * ip1) * uniforms.inHW.y + uniforms.phase.y + uniforms.stride.y * jp1;
  let oh01 = ip1 + uniforms.q.x; let ow01 = jp1 + uniforms.q.y;
  let dyb1 = bt1 * uniforms.outHW.x * uniforms.outHW.y * uniforms.outC; let row1 = r1 < uniforms.dimM;
  let r2 = m0 + 2;
  let jp2 = r2 % uniforms.sub.y; let ip2 = (r2 / uniforms.sub.y) % uniforms.sub.x;
  let bt2 = r2 / (uniforms.sub.x * uniforms.sub.y);
  let xrow2 = (bt2 * uniforms.inHW.x + uniforms.phase.x + uniforms.stride.x * ip2) * uniforms.inHW.y + uniforms.phase.y + uniforms.stride.y * jp2;
  let oh02 = ip2 + uniforms.q.x; let ow02 = jp2 + uniforms.q.y;
  let dyb2 = bt2 * uniforms.outHW.x * uniforms.outHW.y * uniforms.outC; let row2 = r2 < uniforms.dimM;
  let r3 = m0 + 3;
  let jp3 = r3 % uniforms.sub.y; let ip3 = (r3 / uniforms.sub.y) % uniforms.sub.x;
  let bt3 = r3 / (uniforms.sub.x * uniforms.sub.y);
  let xrow3 = (bt3 * uniforms.inHW.x + uniforms.phase.x + uniforms.stride.x * ip3) * uniforms.inHW.y + uniforms.phase.y + uniforms.stride.y * jp3;
  let oh03 = ip3 + uniforms.q.x; let ow03 = jp3 + uniforms.q.y;
  let dyb3 = bt3 * uniforms.outHW.x * uniforms.outHW.y * uniforms.outC; let row3 = r3 < uniforms.dimM;
  let outCq = (uniforms.outC + 3) / 4;
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  // Taps outside, channels inside: a tap's dy offsets, border tests and weight rows are computed
  // once, the channel loop only steps indices (u32 casts fold the two border compares into one).
  let nc = min(vec4<i32>(n0) + vec4<i32>(0, 1, 2, 3), vec4<i32>(uniforms.dimN - 1));
  for (var th = 0; th < uniforms.taps.x; th = th + 1) {
    let kh = uniforms.k0.x + uniforms.stride.x * th;
    let oh0 = oh00 - th; let oh1 = oh01 - th; let oh2 = oh02 - th; let oh3 = oh03 - th;
    let okh0 = row0 && u32(oh0) < u32(uniforms.outHW.x); let okh1 = row1 && u32(oh1) < u32(uniforms.outHW.x);
    let okh2 = row2 && u32(oh2) < u32(uniforms.outHW.x); let okh3 = row3 && u32(oh3) < u32(uniforms.outHW.x);
    for (var tw = 0; tw < uniforms.taps.y; tw = tw + 1) {
      let kw = uniforms.k0.y + uniforms.stride.y * tw;
      let ow0 = ow00 - tw; let ow1 = ow01 - tw; let ow2 = ow02 - tw; let ow3 = ow03 - tw;
      let ok0 = okh0 && u32(ow0) < u32(uniforms.outHW.y); let ok1 = okh1 && u32(ow1) < u32(uniforms.outHW.y);
      let ok2 = okh2 && u32(ow2) < u32(uniforms.outHW.y); let ok3 = okh3 && u32(ow3) < u32(uniforms.outHW.y);
      // Element offset of channel 0 of each row's dy pixel (0 when outside: loaded, not used).
      let p0 = select(0, dyb0 + (oh0 * uniforms.outHW.y + ow0) * uniforms.outC, ok0);
      let p1 = select(0, dyb1 + (oh1 * uniforms.outHW.y + ow1) * uniforms.outC, ok1);
      let p2 = select(0, dyb2 + (oh2 * uniforms.outHW.y + ow2) * uniforms.outC, ok2);
      let p3 = select(0, dyb3 + (oh3 * uniforms.outHW.y + ow3) * uniforms.outC, ok3);
      // W[kh, kw, n0 + j, :] for the 4 columns (clamped: never written).
      let wt = (kh * uniforms.filterHW.y + kw) * uniforms.inC;
      let q0 = (wt + nc.x) * uniforms.outC; let q1 = (wt + nc.y) * uniforms.outC;
      let q2 = (wt + nc.z) * uniforms.outC; let q3 = (wt + nc.w) * uniforms.outC;
      for (var cq = 0; cq < outCq; cq = cq + 1) {
        let koc = cq * 4;
#if VEC_K
        let a0 = select(vec4<f32>(0.0), dy[(p0 >> 2u) + cq], ok0);
        let a1 = select(vec4<f32>(0.0), dy[(p1 >> 2u) + cq], ok1);
        let a2 = select(vec4<f32>(0.0), dy[(p2 >> 2u) + cq], ok2);
        let a3 = select(vec4<f32>(0.0), dy[(p3 >> 2u) + cq], ok3);
        let c0 = w[(q0 >> 2u) + cq]; let c1 = w[(q1 >> 2u) + cq]; let c2 = w[(q2 >> 2u) + cq]; let c3 = w[(q3 >> 2u) + cq];
#else
        let cm = (vec4<i32>(koc) + vec4<i32>(0, 1, 2, 3)) < vec4<i32>(uniforms.outC);
        let a0 = select(vec4<f32>(0.0), vec4<f32>(dy[p0 + koc], dy[p0 + koc + 1], dy[p0 + koc + 2], dy[p0 + koc + 3]), cm & vec4<bool>(ok0));
        let a1 = select(vec4<f32>(0.0), vec4<f32>(dy[p1 + koc], dy[p1 + koc + 1], dy[p1 + koc + 2], dy[p1 + koc + 3]), cm & vec4<bool>(ok1));
        let a2 = select(vec4<f32>(0.0), vec4<f32>(dy[p2 + koc], dy[p2 + koc + 1], dy[p2 + koc + 2], dy[p2 + koc + 3]), cm & vec4<bool>(ok2));
        let a3 = select(vec4<f32>(0.0), vec4<f32>(dy[p3 + koc], dy[p3 + koc + 1], dy[p3 + koc + 2], dy[p3 + koc + 3]), cm & vec4<bool>(ok3));
        let wi0 = q0 + koc; let c0 = vec4<f32>(w[wi0], w[wi0 + 1], w[wi0 + 2], w[wi0 + 3]);
        let wi1 = q1 + koc; let c1 = vec4<f32>(w[wi1], w[wi1 + 1], w[wi1 + 2], w[wi1 + 3]);
        let wi2 = q2 + koc; let c2 = vec4<f32>(w[wi2], w[wi2 + 1], w[wi2 + 2], w[wi2 + 3]);
        let wi3 = q3 + koc; let c3 = vec4<f32>(w[wi3], w[wi3 + 1], w[wi3 + 2], w[wi3 + 3]);
#endif
        // c_j = W[kh, kw, n0 + j, koc..koc+3]: transpose the 4x4 block into rows of B.
        let b0 = vec4<f32>(c0.x, c1.x, c2.x, c3.x);
        let b1 = vec4<f32>(c0.y, c1.y, c2.y, c3.y);
        let b2 = vec4<f32>(c0.z, c1.z, c2.z, c3.z);
        let b3 = vec4<f32>(c0.w, c1.w, c2.w, c3.w);
        acc0 = acc0 + a0.x * b0 + a0.y * b1 + a0.z * b2 + a0.w * b3;
        acc1 = acc1 + a1.x * b0 + a1.y * b1 + a1.z * b2 + a1.w * b3;
        acc2 = acc2 + a2.x * b0 + a2.y * b1 + a2.z * b2 + a2.w * b3;
        acc3 = acc3 + a3.x * b0 + a3.y * b1 + a3.z * b2 + a3.w * b3;
      }
    }
  }
  // GEMM row m0+i is input pixel xrow_i.
  if (m0 + 0 < uniforms.dimM) {
    let v0 = acc0;
    let o0 = 0 + xrow0 * uniforms.dimN + n0;
#if VEC_OUT
    result[o0 >> 2u] = v0;
#else
    if (n0 + 0 < uniforms.dimN) { result[o0 + 0] = v0.x; }
    if (n0 + 1 < uniforms.dimN) { result[o0 + 1] = v0.y; }
    if (n0 + 2 < uniforms.dimN) { result[o0 + 2] = v0.z; }
    if (n0 + 3 < uniforms.dimN) { result[o0 + 3] = v0.w; }
#endif
  }
  if (m0 + 1 < uniforms.dimM) {
    let v1 = acc1;
    let o1 = 0 + xrow1 * uniforms.dimN + n0;
#if VEC_OUT
    result[o1 >> 2u] = v1;
#else
    if (n0 + 0 < uniforms.dimN) { result[o1 + 0] = v1.x; }
    if (n0 + 1 < uniforms.dimN) { result[o1 + 1] = v1.y; }
    if (n0 + 2 < uniforms.dimN) { result[o1 + 2] = v1.z; }
    if (n0 + 3 < uniforms.dimN) { result[o1 + 3] = v1.w; }
#endif
  }
  if (m0 + 2 < uniforms.dimM) {
    let v2 = acc2;
    let o2 = 0 + xrow2 * uniforms.dimN + n0;
#if VEC_OUT
    result[o2 >> 2u] = v2;
#else
    if (n0 + 0 < uniforms.dimN) { result[o2 + 0] = v2.x; }
    if (n0 + 1 < uniforms.dimN) { result[o2 + 1] = v2.y; }
    if (n0 + 2 < uniforms.dimN) { result[o2 + 2] = v2.z; }
    if (n0 + 3 < uniforms.dimN) { result[o2 + 3] = v2.w; }
#endif
  }
  if (m0 + 3 < uniforms.dimM) {
    let v3 = acc3;
    let o3 = 0 + xrow3 * uniforms.dimN + n0;
#if VEC_OUT
    result[o3 >> 2u] = v3;
#else
    if (n0 + 0 < uniforms.dimN) { result[o3 + 0] = v3.x; }
    if (n0 + 1 < uniforms.dimN) { result[o3 + 1] = v3.y; }
    if (n0 + 2 < uniforms.dimN) { result[o3 + 2] = v3.z; }
    if (n0 + 3 < uniforms.dimN) { result[o3 + 3] = v3.w; }
#endif
  }
}
