// BatchMatMul / _FusedMatMul on the Studio GEMM core: C[batch, M, N] = A · B (+ bias, activation).
// Register-tiled: each thread owns a 4x4 block of C (rows m0..m0+3, columns n0..n0+3), no
// workgroup memory, no barriers (barriers are what make tiled matmul slow on SwiftShader).
// Both transposes are read in place: A stored [M, K] gives rows a_i = A[m0+i, k..k+3]; A stored
// [K, M] (TRANSPOSE_A) gives columns t_j = A[k+j, m0..m0+3]; B likewise (b_j rows, c_j columns).
// Only K needs real bounds: rows past M and columns past N compute garbage the guarded write
// never stores (their indices are clamped), and the K tail is masked on A alone (a zero there
// zeroes the product), so B loads are never guarded. Guarding every scalar load made
// SwiftShader hang compiling the shader.
// Flags: K_ALIGNED (K % 4 == 0), TRANSPOSE_A, TRANSPOSE_B, VEC_A / VEC_B (vec4 loads along the stored matrix's
// contiguous axis), VEC_OUT (N % 4 == 0), BIAS_COLUMN, BIAS_SCALAR, ACT_* (one activation),
// WIDE_N (with VEC_B and not TRANSPOSE_B: 4x8 outputs per thread, an autotune variant; each A
// load feeds twice the FMAs).
// Bindings (tfjs prelude): A, B, [bias], result; uniforms dimM, dimN, dimK, alpha, strideA, strideB.

// activation(), finish() and writeOut(): shaders/epilogue.wgsl, prepended by the program.

// Writes C[row, n0..n0+3] of this batch (columns past N are dropped).
fn store(base : i32, row : i32, n0 : i32, v : vec4<f32>) {
  writeOut(base + row * uniforms.dimN + n0, n0, v);
}

fn main() {
  let batch = i32(globalId.z);
#if WIDE_N
  let n0 = i32(globalId.x) * 8;
  let n1 = n0 + 4;
  var acc4 = vec4<f32>(0.0);
  var acc5 = vec4<f32>(0.0);
  var acc6 = vec4<f32>(0.0);
  var acc7 = vec4<f32>(0.0);
#else
  let n0 = i32(globalId.x) * 4;
#endif
  let m0 = i32(globalId.y) * 4;
  let M = uniforms.dimM;
  let N = uniforms.dimN;
  let K = uniforms.dimK;
  if (m0 >= M || n0 >= N) { return; }
  let aBase = batch * uniforms.strideA;
  let bBase = batch * uniforms.strideB;
  let mr = min(vec4<i32>(m0) + vec4<i32>(0, 1, 2, 3), vec4<i32>(M - 1));
  let nc = min(vec4<i32>(n0) + vec4<i32>(0, 1, 2, 3), vec4<i32>(N - 1));
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k = 0; k < K; k = k + 4) {
#if K_ALIGNED
    // K % 4 == 0: no tail, so no clamp and no mask (x * 1.0 folds away).
    let kq = vec4<i32>(k) + vec4<i32>(0, 1, 2, 3);
    let kmask = vec4<f32>(1.0);
#else
    let kl = vec4<i32>(k) + vec4<i32>(0, 1, 2, 3);
    let kq = min(kl, vec4<i32>(K - 1));
    let kmask = select(vec4<f32>(0.0), vec4<f32>(1.0), kl < vec4<i32>(K));
#endif
#if !TRANSPOSE_A
    // a_i = A[m0+i, k..k+3]; vec4 along K means K % 4 == 0: no tail to mask.
#if VEC_A
    let a0 = A[(aBase + mr.x * K + k) >> 2u];
    let a1 = A[(aBase + mr.y * K + k) >> 2u];
    let a2 = A[(aBase + mr.z * K + k) >> 2u];
    let a3 = A[(aBase + mr.w * K + k) >> 2u];
#else
    let a0 = vec4<f32>(A[aBase + mr.x * K + kq.x], A[aBase + mr.x * K + kq.y], A[aBase + mr.x * K + kq.z], A[aBase + mr.x * K + kq.w]) * kmask;
    let a1 = vec4<f32>(A[aBase + mr.y * K + kq.x], A[aBase + mr.y * K + kq.y], A[aBase + mr.y * K + kq.z], A[aBase + mr.y * K + kq.w]) * kmask;
    let a2 = vec4<f32>(A[aBase + mr.z * K + kq.x], A[aBase + mr.z * K + kq.y], A[aBase + mr.z * K + kq.z], A[aBase + mr.z * K + kq.w]) * kmask;
    let a3 = vec4<f32>(A[aBase + mr.w * K + kq.x], A[aBase + mr.w * K + kq.y], A[aBase + mr.w * K + kq.z], A[aBase + mr.w * K + kq.w]) * kmask;
#endif
#else
    // t_j = A[k+j, m0..m0+3] (A stored [K, M]).
#if VEC_A
    let t0 = A[(aBase + kq.x * M + m0) >> 2u] * kmask.x;
    let t1 = A[(aBase + kq.y * M + m0) >> 2u] * kmask.y;
    let t2 = A[(aBase + kq.z * M + m0) >> 2u] * kmask.z;
    let t3 = A[(aBase + kq.w * M + m0) >> 2u] * kmask.w;
#else
    let t0 = vec4<f32>(A[aBase + kq.x * M + mr.x], A[aBase + kq.x * M + mr.y], A[aBase + kq.x * M + mr.z], A[aBase + kq.x * M + mr.w]) * kmask.x;
    let t1 = vec4<f32>(A[aBase + kq.y * M + mr.x], A[aBase + kq.y * M + mr.y], A[aBase + kq.y * M + mr.z], A[aBase + kq.y * M + mr.w]) * kmask.y;
    let t2 = vec4<f32>(A[aBase + kq.z * M + mr.x], A[aBase + kq.z * M + mr.y], A[aBase + kq.z * M + mr.z], A[aBase + kq.z * M + mr.w]) * kmask.z;
    let t3 = vec4<f32>(A[aBase + kq.w * M + mr.x], A[aBase + kq.w * M + mr.y], A[aBase + kq.w * M + mr.z], A[aBase + kq.w * M + mr.w]) * kmask.w;
#endif
#endif
#if !TRANSPOSE_B
    // b_j = B[k+j, n0..n0+3].
#if VEC_B
    let b0 = B[(bBase + kq.x * N + n0) >> 2u];
    let b1 = B[(bBase + kq.y * N + n0) >> 2u];
    let b2 = B[(bBase + kq.z * N + n0) >> 2u];
    let b3 = B[(bBase + kq.w * N + n0) >> 2u];
#if WIDE_N
    // e_j = B[k+j, n1..n1+3] (past N: read, never written).
    let e0 = B[((bBase + kq.x * N + n0) >> 2u) + 1];
    let e1 = B[((bBase + kq.y * N + n0) >> 2u) + 1];
    let e2 = B[((bBase + kq.z * N + n0) >> 2u) + 1];
    let e3 = B[((bBase + kq.w * N + n0) >> 2u) + 1];
#endif
#else
    let b0 = vec4<f32>(B[bBase + kq.x * N + nc.x], B[bBase + kq.x * N + nc.y], B[bBase + kq.x * N + nc.z], B[bBase + kq.x * N + nc.w]);
    let b1 = vec4<f32>(B[bBase + kq.y * N + nc.x], B[bBase + kq.y * N + nc.y], B[bBase + kq.y * N + nc.z], B[bBase + kq.y * N + nc.w]);
    let b2 = vec4<f32>(B[bBase + kq.z * N + nc.x], B[bBase + kq.z * N + nc.y], B[bBase + kq.z * N + nc.z], B[bBase + kq.z * N + nc.w]);
    let b3 = vec4<f32>(B[bBase + kq.w * N + nc.x], B[bBase + kq.w * N + nc.y], B[bBase + kq.w * N + nc.z], B[bBase + kq.w * N + nc.w]);
#endif
#else
    // c_j = B[n0+j, k..k+3] (B stored [N, K]), turned into rows b_j.
#if VEC_B
    let c0 = B[(bBase + nc.x * K + k) >> 2u];
    let c1 = B[(bBase + nc.y * K + k) >> 2u];
    let c2 = B[(bBase + nc.z * K + k) >> 2u];
    let c3 = B[(bBase + nc.w * K + k) >> 2u];
#else
    let c0 = vec4<f32>(B[bBase + nc.x * K + kq.x], B[bBase + nc.x * K + kq.y], B[bBase + nc.x * K + kq.z], B[bBase + nc.x * K + kq.w]);
    let c1 = vec4<f32>(B[bBase + nc.y * K + kq.x], B[bBase + nc.y * K + kq.y], B[bBase + nc.y * K + kq.z], B[bBase + nc.y * K + kq.w]);
    let c2 = vec4<f32>(B[bBase + nc.z * K + kq.x], B[bBase + nc.z * K + kq.y], B[bBase + nc.z * K + kq.z], B[bBase + nc.z * K + kq.w]);
    let c3 = vec4<f32>(B[bBase + nc.w * K + kq.x], B[bBase + nc.w * K + kq.y], B[bBase + nc.w * K + kq.z], B[bBase + nc.w * K + kq.w]);
#endif
    let b0 = vec4<f32>(c0.x, c1.x, c2.x, c3.x);
    let b1 = vec4<f32>(c0.y, c1.y, c2.y, c3.y);
    let b2 = vec4<f32>(c0.z, c1.z, c2.z, c3.z);
    let b3 = vec4<f32>(c0.w, c1.w, c2.w, c3.w);
#endif
#if !TRANSPOSE_A
    acc0 = acc0 + a0.x * b0 + a0.y * b1 + a0.z * b2 + a0.w * b3;
    acc1 = acc1 + a1.x * b0 + a1.y * b1 + a1.z * b2 + a1.w * b3;
    acc2 = acc2 + a2.x * b0 + a2.y * b1 + a2.z * b2 + a2.w * b3;
    acc3 = acc3 + a3.x * b0 + a3.y * b1 + a3.z * b2 + a3.w * b3;
#if WIDE_N
    acc4 = acc4 + a0.x * e0 + a0.y * e1 + a0.z * e2 + a0.w * e3;
    acc5 = acc5 + a1.x * e0 + a1.y * e1 + a1.z * e2 + a1.w * e3;
    acc6 = acc6 + a2.x * e0 + a2.y * e1 + a2.z * e2 + a2.w * e3;
    acc7 = acc7 + a3.x * e0 + a3.y * e1 + a3.z * e2 + a3.w * e3;
#endif
#else
    acc0 = acc0 + t0.x * b0 + t1.x * b1 + t2.x * b2 + t3.x * b3;
    acc1 = acc1 + t0.y * b0 + t1.y * b1 + t2.y * b2 + t3.y * b3;
    acc2 = acc2 + t0.z * b0 + t1.z * b1 + t2.z * b2 + t3.z * b3;
    acc3 = acc3 + t0.w * b0 + t1.w * b1 + t2.w * b2 + t3.w * b3;
#if WIDE_N
    acc4 = acc4 + t0.x * e0 + t1.x * e1 + t2.x * e2 + t3.x * e3;
    acc5 = acc5 + t0.y * e0 + t1.y * e1 + t2.y * e2 + t3.y * e3;
    acc6 = acc6 + t0.z * e0 + t1.z * e1 + t2.z * e2 + t3.z * e3;
    acc7 = acc7 + t0.w * e0 + t1.w * e1 + t2.w * e2 + t3.w * e3;
#endif
#endif
  }
  let base = batch * M * N;
  if (m0 < M) { store(base, m0, n0, finish(acc0, n0)); }
  if (m0 + 1 < M) { store(base, m0 + 1, n0, finish(acc1, n0)); }
  if (m0 + 2 < M) { store(base, m0 + 2, n0, finish(acc2, n0)); }
  if (m0 + 3 < M) { store(base, m0 + 3, n0, finish(acc3, n0)); }
#if WIDE_N
  if (n1 < N) {
    if (m0 < M) { store(base, m0, n1, finish(acc4, n1)); }
    if (m0 + 1 < M) { store(base, m0 + 1, n1, finish(acc5, n1)); }
    if (m0 + 2 < M) { store(base, m0 + 2, n1, finish(acc6, n1)); }
    if (m0 + 3 < M) { store(base, m0 + 3, n1, finish(acc7, n1)); }
  }
#endif
}
