// Conv2D backprop-input (NHWC) as an implicit GEMM on the Studio core, one dispatch per output
// phase of a strided conv (sub-pixel decomposition, `dgradPhases` in conv2d.ts): the input
// pixels ih = phase.x + stride.x*i', iw = phase.y + stride.y*j' are reached only by the taps
// kh = k0.x + stride.x*t, kw = k0.y + stride.y*u, so each phase is a small dense GEMM
//   dx-phase [B*hp*wp, Cin] = dy-patches [B*hp*wp, th*tw*pad4(Cout)] . W^T
// (W [fH, fW, Cin, Cout] read in place as B[k = (t, u, koc), n]; stride 1 = one phase).
// The K coordinates (koc, tw, th) advance branch-free with select. Only A (dy) loads are
// guarded; W loads use clamped columns (never written) and meet zeros in A past Cout.
// Flags: VEC_K (Cout % 4 == 0: dy and w read as vec4; otherwise 4 scalar reads, dy masked
// past Cout), VEC_OUT (Cin % 4 == 0: result bound as vec4), WIDE_N (4x8 outputs per thread, an
// autotune variant: each dy load and index step feeds twice the FMAs).
// Bindings (tfjs prelude): dy, w, result; uniforms dimM, dimN, dimK, alpha, stride, k0, taps, q,
// phase, sub, filterHW, inHW, outHW, inC, outC (DGRAD_UNIFORMS in src/engine/kernels/conv2d.ts).
// writeOut() comes from shaders/epilogue.wgsl, prepended by the program.

// dx row m (input pixel xrow), columns n0..n0+3.
fn store(m : i32, xrow : i32, n0 : i32, acc : vec4<f32>) {
  if (m < uniforms.dimM) { writeOut(xrow * uniforms.dimN + n0, n0, acc); }
}

fn main() {
  let batch = i32(globalId.z);
#if WIDE_N
  let n0 = i32(globalId.x) * 8;
#else
  let n0 = i32(globalId.x) * 4;
#endif
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
#if WIDE_N
  let n1 = n0 + 4;
  var acc4 = vec4<f32>(0.0);
  var acc5 = vec4<f32>(0.0);
  var acc6 = vec4<f32>(0.0);
  var acc7 = vec4<f32>(0.0);
  let nd = min(vec4<i32>(n1) + vec4<i32>(0, 1, 2, 3), vec4<i32>(uniforms.dimN - 1));
#endif
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
#if WIDE_N
      let q4 = (wt + nd.x) * uniforms.outC; let q5 = (wt + nd.y) * uniforms.outC;
      let q6 = (wt + nd.z) * uniforms.outC; let q7 = (wt + nd.w) * uniforms.outC;
#endif
      for (var cq = 0; cq < outCq; cq = cq + 1) {
        let koc = cq * 4;
#if VEC_K
        let a0 = select(vec4<f32>(0.0), dy[(p0 >> 2u) + cq], ok0);
        let a1 = select(vec4<f32>(0.0), dy[(p1 >> 2u) + cq], ok1);
        let a2 = select(vec4<f32>(0.0), dy[(p2 >> 2u) + cq], ok2);
        let a3 = select(vec4<f32>(0.0), dy[(p3 >> 2u) + cq], ok3);
        let c0 = w[(q0 >> 2u) + cq]; let c1 = w[(q1 >> 2u) + cq]; let c2 = w[(q2 >> 2u) + cq]; let c3 = w[(q3 >> 2u) + cq];
#if WIDE_N
        let c4 = w[(q4 >> 2u) + cq]; let c5 = w[(q5 >> 2u) + cq]; let c6 = w[(q6 >> 2u) + cq]; let c7 = w[(q7 >> 2u) + cq];
#endif
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
#if WIDE_N
        let wi4 = q4 + koc; let c4 = vec4<f32>(w[wi4], w[wi4 + 1], w[wi4 + 2], w[wi4 + 3]);
        let wi5 = q5 + koc; let c5 = vec4<f32>(w[wi5], w[wi5 + 1], w[wi5 + 2], w[wi5 + 3]);
        let wi6 = q6 + koc; let c6 = vec4<f32>(w[wi6], w[wi6 + 1], w[wi6 + 2], w[wi6 + 3]);
        let wi7 = q7 + koc; let c7 = vec4<f32>(w[wi7], w[wi7 + 1], w[wi7 + 2], w[wi7 + 3]);
#endif
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
#if WIDE_N
        let e0 = vec4<f32>(c4.x, c5.x, c6.x, c7.x);
        let e1 = vec4<f32>(c4.y, c5.y, c6.y, c7.y);
        let e2 = vec4<f32>(c4.z, c5.z, c6.z, c7.z);
        let e3 = vec4<f32>(c4.w, c5.w, c6.w, c7.w);
        acc4 = acc4 + a0.x * e0 + a0.y * e1 + a0.z * e2 + a0.w * e3;
        acc5 = acc5 + a1.x * e0 + a1.y * e1 + a1.z * e2 + a1.w * e3;
        acc6 = acc6 + a2.x * e0 + a2.y * e1 + a2.z * e2 + a2.w * e3;
        acc7 = acc7 + a3.x * e0 + a3.y * e1 + a3.z * e2 + a3.w * e3;
#endif
      }
    }
  }
  // GEMM row m0+i is input pixel xrow_i.
  store(m0, xrow0, n0, acc0);
  store(m0 + 1, xrow1, n0, acc1);
  store(m0 + 2, xrow2, n0, acc2);
  store(m0 + 3, xrow3, n0, acc3);
#if WIDE_N
  if (n1 < uniforms.dimN) {
    store(m0, xrow0, n1, acc4);
    store(m0 + 1, xrow1, n1, acc5);
    store(m0 + 2, xrow2, n1, acc6);
    store(m0 + 3, xrow3, n1, acc7);
  }
#endif
}
