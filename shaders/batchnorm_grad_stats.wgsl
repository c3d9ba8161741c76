// Batch-norm backward, reductions: per channel, sum(dz) (= dbeta) and sum(dz * xhat) (= dgamma),
// xhat = (x - mean) / sqrt(var + eps), dz = dy masked by the fused ReLU's output (y > 0) when
// RELU_MASK is set. One workgroup of 64 threads per 4 channels, one pass over x and dy.
// Output [2, C]: row 0 = dbeta, row 1 = dgamma.
var<workgroup> partA : array<vec4<f32>, 64>;
var<workgroup> partB : array<vec4<f32>, 64>;

fn main() {
  let c = i32(workgroupId.x);
  let c4 = uniforms.c4;
  let rows = uniforms.rows;
  let mean = stats[c];
  let invStd = inverseSqrt(stats[c4 + c] + vec4<f32>(uniforms.eps));
  var sa = vec4<f32>(0.0);
  var sb = vec4<f32>(0.0);
  for (var m = i32(localIndex); m < rows; m = m + 64) {
    let i = m * c4 + c;
    var g = dy[i];
    /*RELU_MASK*/
    sa = sa + g;
    sb = sb + g * (x[i] - mean);
  }
  partA[localIndex] = sa;
  partB[localIndex] = sb * invStd;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s = s >> 1u) {
    if (localIndex < s) {
      partA[localIndex] = partA[localIndex] + partA[localIndex + s];
      partB[localIndex] = partB[localIndex] + partB[localIndex + s];
    }
    workgroupBarrier();
  }
  if (localIndex == 0u) {
    result[c] = partA[0];
    result[c4 + c] = partB[0];
  }
}
