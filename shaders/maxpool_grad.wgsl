// MaxPoolGrad (NHWC): dx[b, ih, iw, c..c+3] = sum of dy[b, oh, ow, c..c+3] over the windows
// (oh, ow) whose max is at (ih, iw). One thread per vec4 of dx; it rescans each of the few
// windows that contain its pixel (2x2 of them for ResNet's 3x3 stride-2 pool). tfjs-webgpu runs
// a max-position pass and then a backprop pass that visits every window offset of every pixel.
// Ties go to the last maximum in scan order, as tfjs-webgpu's position pass does.
// Bindings (tfjs prelude): dy, x, result (all vec4); uniforms as MAXPOOL_GRAD_UNIFORMS in
// src/engine/kernels/pool.ts.

// ceil(n / d) for d > 0 (WGSL's integer division truncates toward zero).
fn ceilDiv(n : i32, d : i32) -> i32 {
  return select((n + d - 1) / d, -((-n) / d), n <= 0);
}

fn main(index : i32) {
  if (index >= uniforms.n4) { return; }
  let cq = uniforms.channels >> 2u;
  let q = index % cq;
  let pix = index / cq;
  let iw = pix % uniforms.inHW.y;
  let ih = (pix / uniforms.inHW.y) % uniforms.inHW.x;
  let b = pix / (uniforms.inHW.x * uniforms.inHW.y);
  // Windows containing (ih, iw): oh * stride - pad <= ih <= oh * stride - pad + filter - 1.
  let ohLo = max(0, ceilDiv(ih + uniforms.pad.x - uniforms.filterHW.x + 1, uniforms.stride.x));
  let ohHi = min(uniforms.outHW.x - 1, (ih + uniforms.pad.x) / uniforms.stride.x);
  let owLo = max(0, ceilDiv(iw + uniforms.pad.y - uniforms.filterHW.y + 1, uniforms.stride.y));
  let owHi = min(uniforms.outHW.y - 1, (iw + uniforms.pad.y) / uniforms.stride.y);
  let xBatch = b * uniforms.inHW.x * uniforms.inHW.y;
  var acc = vec4<f32>(0.0);
  for (var oh = ohLo; oh <= ohHi; oh = oh + 1) {
    let r0 = oh * uniforms.stride.x - uniforms.pad.x;
    for (var ow = owLo; ow <= owHi; ow = ow + 1) {
      let c0 = ow * uniforms.stride.y - uniforms.pad.y;
      // Scan the window: per channel, the last position holding its maximum.
      var best = vec4<f32>(0.0);
      var at = vec4<i32>(-1);
      for (var wr = max(0, -r0); wr < min(uniforms.filterHW.x, uniforms.inHW.x - r0); wr = wr + 1) {
        for (var wc = max(0, -c0); wc < min(uniforms.filterHW.y, uniforms.inHW.y - c0); wc = wc + 1) {
          let v = x[((xBatch + (r0 + wr) * uniforms.inHW.y + c0 + wc) * cq) + q];
          let take = (v >= best) | (at < vec4<i32>(0));
          best = select(best, v, take);
          at = select(at, vec4<i32>(wr * uniforms.filterHW.y + wc), take);
        }
      }
      let mine = vec4<i32>((ih - r0) * uniforms.filterHW.y + iw - c0);
      let g = dy[(((b * uniforms.outHW.x + oh) * uniforms.outHW.y + ow) * cq) + q];
      acc = acc + select(vec4<f32>(0.0), g, at == mine);
    }
  }
  result[index] = acc;
}
