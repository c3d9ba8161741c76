// Batch-norm backward, input gradient (batch statistics), one vec4 of channels per thread:
// dx = gamma * invStd * (dz - dbeta / M - xhat * dgamma / M), with gstats = [2, C] (dbeta, dgamma)
// from batchnorm_grad_stats.wgsl and dz = dy masked by y > 0 when RELU_MASK is set.
fn main(index : i32) {
  if (index >= uniforms.n4) { return; }
  let c = index % uniforms.c4;
  let c4 = uniforms.c4;
  let invStd = inverseSqrt(stats[c4 + c] + vec4<f32>(uniforms.eps));
  let xhat = (x[index] - stats[c]) * invStd;
  var g = dy[index];
  /*RELU_MASK*/
  let invM = 1.0 / f32(uniforms.rows);
  result[index] = gamma[c] * invStd * (g - gstats[c] * invM - xhat * gstats[c4 + c] * invM);
}
