// Batch-norm forward with batch statistics, one vec4 of channels per thread:
// y = act((x - mean) * gamma / sqrt(var + eps) + beta [+ residual]). stats = [2, C] (mean, var).
// RESIDUAL / RELU are replaced by the builder (batchnorm.ts) with code or nothing.
fn main(index : i32) {
  if (index >= uniforms.n4) { return; }
  let c = index % uniforms.c4;
  let scale = gamma[c] * inverseSqrt(stats[uniforms.c4 + c] + vec4<f32>(uniforms.eps));
  var o = (x[index] - stats[c]) * scale + beta[c];
  /*RESIDUAL*/
  /*RELU*/
  result[index] = o;
}
