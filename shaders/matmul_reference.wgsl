// The plain register-tiled reference matmul the benchmark compares our best matmul with:
// C[M, N] = A[M, K] · B[K, N], 4x4 outputs per thread, vec4 loads, no workgroup memory, no
// bounds handling (M, N, K multiples of 4). A, B and the result are bound as vec4 arrays.
fn main() {
  let n0 = i32(globalId.x) * 4;
  let m0 = i32(globalId.y) * 4;
  if (m0 >= uniforms.dimM || n0 >= uniforms.dimN) { return; }
  let k4 = uniforms.dimK / 4;
  let n4 = uniforms.dimN / 4;
  let c = n0 / 4;
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k = 0; k < uniforms.dimK; k = k + 4) {
    let kq = k / 4;
    let a0 = A[m0 * k4 + kq];
    let a1 = A[(m0 + 1) * k4 + kq];
    let a2 = A[(m0 + 2) * k4 + kq];
    let a3 = A[(m0 + 3) * k4 + kq];
    let b0 = B[k * n4 + c];
    let b1 = B[(k + 1) * n4 + c];
    let b2 = B[(k + 2) * n4 + c];
    let b3 = B[(k + 3) * n4 + c];
    acc0 = acc0 + a0.x * b0 + a0.y * b1 + a0.z * b2 + a0.w * b3;
    acc1 = acc1 + a1.x * b0 + a1.y * b1 + a1.z * b2 + a1.w * b3;
    acc2 = acc2 + a2.x * b0 + a2.y * b1 + a2.z * b2 + a2.w * b3;
    acc3 = acc3 + a3.x * b0 + a3.y * b1 + a3.z * b2 + a3.w * b3;
  }
  result[m0 * n4 + c] = acc0;
  result[(m0 + 1) * n4 + c] = acc1;
  result[(m0 + 2) * n4 + c] = acc2;
  result[(m0 + 3) * n4 + c] = acc3;
}
