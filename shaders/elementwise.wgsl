// Small fused elementwise kernels on vec4s, one per thread; OP is replaced by the builder
// (batchnorm.ts): ReLU gradient from the output (dy * (y > 0)), the running-statistics update, ...
fn main(index : i32) {
  if (index >= uniforms.n4) { return; }
  /*OP*/
}
