// Conv2D forward (NHWC) as an implicit GEMM on the Studio core (see shaders/matmul.wgsl for
// the core itself): out[b,oh,ow,:] = x-patches [B*oH*oW, fH*fW*Cin] . W [fH*fW*Cin, Cout],
// + bias, then activation, fused into the write. Each thread owns a 4x4 block of the output
// (rows m0..m0+3 = output pixels, columns n0..n0+3 = output channels).
// K runs over (kh, kw, channel) with channels padded to 4 (dimK = fH*fW*pad4(Cin)): the patch
// index math (stride, dilation, padding, image borders) runs inside the loads, with the K
// coordinates (kc, kw, kh) advanced branch-free with select (no division in the loop).
// Only A loads are guarded (padding, borders, the channel tail); B loads use clamped indices,
// since columns past N are never written and A is zero past the real channels.
// Flags: VEC_X (Cin % 4 == 0: x read as vec4; otherwise 4 scalar reads masked past Cin),
// VEC_W (Cout % 4 == 0: w and result bound as vec4; passed on as the epilogue's VEC_OUT),
// BIAS_COLUMN, BIAS_SCALAR, ACT_* (one activation), WIDE_N (with VEC_W: 4x8 outputs per
// thread, an autotune variant).
// Bindings (tfjs prelude): x, w, [bias], result; uniforms dimM, dimN, dimK, alpha, pad, stride,
// dilation, filterHW, inHW, outHW, inC, outC (CONV_UNIFORMS in src/engine/kernels/conv2d.ts).

// activation(), finish() and writeOut() come from shaders/epilogue.wgsl, prepended by the program.

// Output row m (output pixel m), columns n0..n0+3: bias and activation, then the (vec4) store.
fn store(m : i32, n0 : i32, acc : vec4<f32>) {
  if (m < uniforms.dimM) { writeOut(m * uniforms.dimN + n0, n0, finish(acc, n0)); }
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
  // Output pixel (b, oh, ow) of each of the 4 rows, and its top-left input corner.
  let r0 = m0 + 0;
  let ow0 = r0 % uniforms.outHW.y; let oh0 = (r0 / uniforms.outHW.y) % uniforms.outHW.x;
  let bt0 = r0 / (uniforms.outHW.x * uniforms.outHW.y);
  let ih00 = oh0 * uniforms.stride.x - uniforms.pad.x; let iw00 = ow0 * uniforms.stride.y - uniforms.pad.y;
  let xb0 = bt0 * uniforms.inHW.x * uniforms.inHW.y * uniforms.inC; let row0 = r0 < uniforms.dimM;
  let r1 = m0 + 1;
  let ow1 = r1 % uniforms.outHW.y; let oh1 = (r1 / uniforms.outHW.y) % uniforms.outHW.x;
  let bt1 = r1 / (uniforms.outHW.x * uniforms.outHW.y);
  let ih01 = oh1 * uniforms.stride.x - uniforms.pad.x; let iw01 = ow1 * uniforms.stride.y - uniforms.pad.y;
  let xb1 = bt1 * uniforms.inHW.x * uniforms.inHW.y * uniforms.inC; let row1 = r1 < uniforms.dimM;
  let r2 = m0 + 2;
  let ow2 = r2 % uniforms.outHW.y; let oh2 = (r2 / uniforms.outHW.y) % uniforms.outHW.x;
  let bt2 = r2 / (uniforms.outHW.x * uniforms.outHW.y);
  let ih02 = oh2 * uniforms.stride.x - uniforms.pad.x; let iw02 = ow2 * uniforms.stride.y - uniforms.pad.y;
  let xb2 = bt2 * uniforms.inHW.x * uniforms.inHW.y * uniforms.inC; let row2 = r2 < uniforms.dimM;
  let r3 = m0 + 3;
  let ow3 = r3 % uniforms.outHW.y; let oh3 = (r3 / uniforms.outHW.y) % uniforms.outHW.x;
  let bt3 = r3 / (uniforms.outHW.x * uniforms.outHW.y);
  let ih03 = oh3 * uniforms.stride.x - uniforms.pad.x; let iw03 = ow3 * uniforms.stride.y - uniforms.pad.y;
  let xb3 = bt3 * uniforms.inHW.x * uniforms.inHW.y * uniforms.inC; let row3 = r3 < uniforms.dimM;
  let inCq = (uniforms.inC + 3) / 4;
  let wRows = uniforms.filterHW.x * uniforms.filterHW.y * uniforms.inC;
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
#if WIDE_N
  // Columns n0+4..n0+7 of the same 4 rows: each A load and index step feeds twice the FMAs.
  let n1 = n0 + 4;
  var acc4 = vec4<f32>(0.0);
  var acc5 = vec4<f32>(0.0);
  var acc6 = vec4<f32>(0.0);
  var acc7 = vec4<f32>(0.0);
#endif
  // Taps outside, channels inside: a tap's pixel offsets and border tests are computed once,
  // and the channel loop only steps indices (u32 casts fold the two border compares into one).
  for (var kh = 0; kh < uniforms.filterHW.x; kh = kh + 1) {
    let dh = kh * uniforms.dilation.x;
    let ih0 = ih00 + dh; let ih1 = ih01 + dh; let ih2 = ih02 + dh; let ih3 = ih03 + dh;
    let okh0 = row0 && u32(ih0) < u32(uniforms.inHW.x); let okh1 = row1 && u32(ih1) < u32(uniforms.inHW.x);
    let okh2 = row2 && u32(ih2) < u32(uniforms.inHW.x); let okh3 = row3 && u32(ih3) < u32(uniforms.inHW.x);
    for (var kw = 0; kw < uniforms.filterHW.y; kw = kw + 1) {
      let dw = kw * uniforms.dilation.y;
      let iw0 = iw00 + dw; let iw1 = iw01 + dw; let iw2 = iw02 + dw; let iw3 = iw03 + dw;
      let ok0 = okh0 && u32(iw0) < u32(uniforms.inHW.y); let ok1 = okh1 && u32(iw1) < u32(uniforms.inHW.y);
      let ok2 = okh2 && u32(iw2) < u32(uniforms.inHW.y); let ok3 = okh3 && u32(iw3) < u32(uniforms.inHW.y);
      // Element offset of channel 0 of each row's input pixel (0 when outside: loaded, not used).
      let p0 = select(0, xb0 + (ih0 * uniforms.inHW.y + iw0) * uniforms.inC, ok0);
      let p1 = select(0, xb1 + (ih1 * uniforms.inHW.y + iw1) * uniforms.inC, ok1);
      let p2 = select(0, xb2 + (ih2 * uniforms.inHW.y + iw2) * uniforms.inC, ok2);
      let p3 = select(0, xb3 + (ih3 * uniforms.inHW.y + iw3) * uniforms.inC, ok3);
      // First weight row of this tap in W [fH*fW*Cin, Cout].
      let wr = (kh * uniforms.filterHW.y + kw) * uniforms.inC;
      let bq = (wr * uniforms.dimN + n0) >> 2u; // vec4 index of w[wr, n0]
      let nq = uniforms.dimN >> 2u;
      for (var cq = 0; cq < inCq; cq = cq + 1) {
        let kc = cq * 4;
        // b_j = weight row wr + kc + j, clamped past the real rows (finite values that meet
        // zeros in A).
#if VEC_W
        let bi = bq + cq * uniforms.dimN; // 4 rows of N/4 vec4s per channel quad
#if VEC_X
        let b0 = w[bi]; let b1 = w[bi + nq]; let b2 = w[bi + 2 * nq]; let b3 = w[bi + 3 * nq];
#else
        let b0 = w[(min(wr + kc + 0, wRows - 1) * uniforms.dimN + n0) >> 2u];
        let b1 = w[(min(wr + kc + 1, wRows - 1) * uniforms.dimN + n0) >> 2u];
        let b2 = w[(min(wr + kc + 2, wRows - 1) * uniforms.dimN + n0) >> 2u];
        let b3 = w[(min(wr + kc + 3, wRows - 1) * uniforms.dimN + n0) >> 2u];
#endif
#else
        let wr0 = min(wr + kc + 0, wRows - 1) * uniforms.dimN; let wr1 = min(wr + kc + 1, wRows - 1) * uniforms.dimN;
        let wr2 = min(wr + kc + 2, wRows - 1) * uniforms.dimN; let wr3 = min(wr + kc + 3, wRows - 1) * uniforms.dimN;
        let nc = min(vec4<i32>(n0) + vec4<i32>(0, 1, 2, 3), vec4<i32>(uniforms.dimN - 1));
        let b0 = vec4<f32>(w[wr0 + nc.x], w[wr0 + nc.y], w[wr0 + nc.z], w[wr0 + nc.w]);
        let b1 = vec4<f32>(w[wr1 + nc.x], w[wr1 + nc.y], w[wr1 + nc.z], w[wr1 + nc.w]);
        let b2 = vec4<f32>(w[wr2 + nc.x], w[wr2 + nc.y], w[wr2 + nc.z], w[wr2 + nc.w]);
        let b3 = vec4<f32>(w[wr3 + nc.x], w[wr3 + nc.y], w[wr3 + nc.z], w[wr3 + nc.w]);
#endif
        // a_i = channels kc..kc+3 of row i's input pixel under this tap, 0 outside.
#if VEC_X
        let a0 = select(vec4<f32>(0.0), x[(p0 >> 2u) + cq], ok0);
        let a1 = select(vec4<f32>(0.0), x[(p1 >> 2u) + cq], ok1);
        let a2 = select(vec4<f32>(0.0), x[(p2 >> 2u) + cq], ok2);
        let a3 = select(vec4<f32>(0.0), x[(p3 >> 2u) + cq], ok3);
#else
        let cm = (vec4<i32>(kc) + vec4<i32>(0, 1, 2, 3)) < vec4<i32>(uniforms.inC);
        let a0 = select(vec4<f32>(0.0), vec4<f32>(x[p0 + kc], x[p0 + kc + 1], x[p0 + kc + 2], x[p0 + kc + 3]), cm & vec4<bool>(ok0));
        let a1 = select(vec4<f32>(0.0), vec4<f32>(x[p1 + kc], x[p1 + kc + 1], x[p1 + kc + 2], x[p1 + kc + 3]), cm & vec4<bool>(ok1));
        let a2 = select(vec4<f32>(0.0), vec4<f32>(x[p2 + kc], x[p2 + kc + 1], x[p2 + kc + 2], x[p2 + kc + 3]), cm & vec4<bool>(ok2));
        let a3 = select(vec4<f32>(0.0), vec4<f32>(x[p3 + kc], x[p3 + kc + 1], x[p3 + kc + 2], x[p3 + kc + 3]), cm & vec4<bool>(ok3));
#endif
        acc0 = acc0 + a0.x * b0 + a0.y * b1 + a0.z * b2 + a0.w * b3;
        acc1 = acc1 + a1.x * b0 + a1.y * b1 + a1.z * b2 + a1.w * b3;
        acc2 = acc2 + a2.x * b0 + a2.y * b1 + a2.z * b2 + a2.w * b3;
        acc3 = acc3 + a3.x * b0 + a3.y * b1 + a3.z * b2 + a3.w * b3;
#if WIDE_N
        // The next vec4 of each of the 4 weight rows (past N: read, never written).
#if VEC_X
        let e0 = w[bi + 1]; let e1 = w[bi + nq + 1]; let e2 = w[bi + 2 * nq + 1]; let e3 = w[bi + 3 * nq + 1];
#else
        let e0 = w[((min(wr + kc + 0, wRows - 1) * uniforms.dimN + n0) >> 2u) + 1];
        let e1 = w[((min(wr + kc + 1, wRows - 1) * uniforms.dimN + n0) >> 2u) + 1];
        let e2 = w[((min(wr + kc + 2, wRows - 1) * uniforms.dimN + n0) >> 2u) + 1];
        let e3 = w[((min(wr + kc + 3, wRows - 1) * uniforms.dimN + n0) >> 2u) + 1];
#endif
        acc4 = acc4 + a0.x * e0 + a0.y * e1 + a0.z * e2 + a0.w * e3;
        acc5 = acc5 + a1.x * e0 + a1.y * e1 + a1.z * e2 + a1.w * e3;
        acc6 = acc6 + a2.x * e0 + a2.y * e1 + a2.z * e2 + a2.w * e3;
        acc7 = acc7 + a3.x * e0 + a3.y * e1 + a3.z * e2 + a3.w * e3;
#endif
      }
    }
  }
  store(m0, n0, acc0);
  store(m0 + 1, n0, acc1);
  store(m0 + 2, n0, acc2);
  store(m0 + 3, n0, acc3);
#if WIDE_N
  if (n1 < uniforms.dimN) {
    store(m0, n1, acc4);
    store(m0 + 1, n1, acc5);
    store(m0 + 2, n1, acc6);
    store(m0 + 3, n1, acc7);
  }
#endif
}
