// result = a OP b over flat vec4s (src/engine/kernels/binary.ts): same-shape operands, or one of
// them a scalar (SCALAR_A / SCALAR_B: bound as f32 and splatted). No coordinates, no broadcast
// index math: one load per operand, one store.
// Bindings (tfjs prelude): a, b, result; uniform n4 (vec4s in the output).
fn main(index : i32) {
  if (index >= uniforms.n4) { return; }
#if SCALAR_A
  let x = vec4<f32>(a[0]);
#else
  let x = a[index];
#endif
#if SCALAR_B
  let y = vec4<f32>(b[0]);
#else
  let y = b[index];
#endif
  result[index] = x {{OP}} y;
}
