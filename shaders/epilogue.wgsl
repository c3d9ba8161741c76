// The GEMM epilogue shared by the programs that fuse bias and activation into their write
// (prepended to matmul.wgsl, conv2d_fwd.wgsl and conv2d_fwd_fewc.wgsl): activation(), finish()
// and writeOut(). Flags: VEC_OUT (bias and result bound as vec4), BIAS_COLUMN, BIAS_SCALAR, ACT_*
// (one activation).

fn activation(v : vec4<f32>) -> vec4<f32> {
#if ACT_RELU
  return max(v, vec4<f32>(0.0));
#endif
#if ACT_RELU6
  return clamp(v, vec4<f32>(0.0), vec4<f32>(6.0));
#endif
#if ACT_ELU
  return select(exp(v) - vec4<f32>(1.0), v, v >= vec4<f32>(0.0));
#endif
#if ACT_SIGMOID
  return vec4<f32>(1.0) / (vec4<f32>(1.0) + exp(-v));
#endif
#if ACT_LEAKYRELU
  return select(v * uniforms.alpha, v, v >= vec4<f32>(0.0));
#endif
#if ACT_LINEAR
  return v;
#endif
}

// Bias and activation of one 4-column slice.
fn finish(v : vec4<f32>, n0 : i32) -> vec4<f32> {
  var r = v;
#if BIAS_COLUMN
#if VEC_OUT
  r = r + bias[n0 >> 2u];
#else
  let nl = uniforms.dimN - 1;
  r = r + vec4<f32>(bias[min(n0, nl)], bias[min(n0 + 1, nl)], bias[min(n0 + 2, nl)], bias[min(n0 + 3, nl)]);
#endif
#endif
#if BIAS_SCALAR
  r = r + vec4<f32>(bias[0]);
#endif
  return activation(r);
}

// result[o..o+3] = v, for columns n0..n0+3 (columns past N are dropped).
fn writeOut(o : i32, n0 : i32, v : vec4<f32>) {
#if VEC_OUT
  result[o >> 2u] = v;
#else
  if (n0 < uniforms.dimN) { result[o] = v.x; }
  if (n0 + 1 < uniforms.dimN) { result[o + 1] = v.y; }
  if (n0 + 2 < uniforms.dimN) { result[o + 2] = v.z; }
  if (n0 + 3 < uniforms.dimN) { result[o + 3] = v.w; }
#endif
}
