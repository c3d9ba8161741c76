// Batch-norm statistics, NHWC as [M, C] (M = N*H*W), C % 4 == 0, bound as vec4 (C4 = C / 4).
// One workgroup of 64 threads per 4 channels: each thread strides over the rows, then a tree
// reduction in workgroup memory. Two passes over x (mean, then the centred sum of squares) so the
// variance does not cancel. Output [2, C]: row 0 = mean, row 1 = biased variance.
var<workgroup> part : array<vec4<f32>, 64>;

fn reduce64(v : vec4<f32>) -> vec4<f32> {
  part[localIndex] = v;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s = s >> 1u) {
    if (localIndex < s) { part[localIndex] = part[localIndex] + part[localIndex + s]; }
    workgroupBarrier();
  }
  let r = part[0];
  workgroupBarrier();
  return r;
}

fn main() {
  let c = i32(workgroupId.x);
  let c4 = uniforms.c4;
  let rows = uniforms.rows;
  var s = vec4<f32>(0.0);
  for (var m = i32(localIndex); m < rows; m = m + 64) { s = s + x[m * c4 + c]; }
  let mean = reduce64(s) / f32(rows);
  var q = vec4<f32>(0.0);
  for (var m = i32(localIndex); m < rows; m = m + 64) {
    let d = x[m * c4 + c] - mean;
    q = q + d * d;
  }
  let variance = reduce64(q) / f32(rows);
  if (localIndex == 0u) {
    result[c] = mean;
    result[c4 + c] = variance;
  }
}
