// Conv2D forward (NHWC) for few input channels (Cin 1-3: the RGB or grayscale stem), as the
// implicit GEMM of conv2d_fwd.wgsl with a wider tile: each thread owns 4 output pixels x 16
// output channels (Cout % 16 == 0). The general kernel pads Cin to 4 and gives each 7x7 tap one
// channel quad, so a stem thread did 64 multiply-adds (a quarter on padding) per tap against
// the tap's index math, border tests, masked scalar loads and clamped weight loads. Here a tap
// runs exactly Cin channels, and each channel's 4 input values meet 16 weights (one mat4x4):
// 64 useful multiply-adds per 4 scalar + 4 vec4 loads.
// Bindings (tfjs prelude): x, w, [bias], result; uniforms as conv2d_fwd.wgsl (CONV_UNIFORMS).
// activation(), finish() and writeOut() come from shaders/epilogue.wgsl, prepended by the program.

// Output pixel m: offset of (b, ih0, iw0) in pixels and its top-left input corner (ih0, iw0).
struct Pixel {
  base : i32,
  ih : i32,
  iw : i32,
  ok : bool,
}

fn pixel(m : i32) -> Pixel {
  let ow = m % uniforms.outHW.y;
  let oh = (m / uniforms.outHW.y) % uniforms.outHW.x;
  let b = m / (uniforms.outHW.x * uniforms.outHW.y);
  return Pixel(b * uniforms.inHW.x * uniforms.inHW.y, oh * uniforms.stride.x - uniforms.pad.x,
               ow * uniforms.stride.y - uniforms.pad.y, m < uniforms.dimM);
}

// Offset of channel 0 of pixel p's input under tap offset (dh, dw), or -1 outside the image.
fn tapOffset(p : Pixel, dh : i32, dw : i32) -> i32 {
  let ih = p.ih + dh;
  let iw = p.iw + dw;
  let inside = p.ok && u32(ih) < u32(uniforms.inHW.x) && u32(iw) < u32(uniforms.inHW.y);
  return select(-1, (p.base + ih * uniforms.inHW.y + iw) * uniforms.inC, inside);
}

fn xAt(o : i32, c : i32) -> f32 {
  return select(0.0, x[max(o, 0) + c], o >= 0);
}

fn store(m : i32, n0 : i32, acc : mat4x4<f32>) {
  if (m >= uniforms.dimM) { return; }
  let o = m * uniforms.dimN + n0;
  writeOut(o, n0, finish(acc[0], n0));
  writeOut(o + 4, n0 + 4, finish(acc[1], n0 + 4));
  writeOut(o + 8, n0 + 8, finish(acc[2], n0 + 8));
  writeOut(o + 12, n0 + 12, finish(acc[3], n0 + 12));
}

fn main() {
  let n0 = i32(globalId.x) * 16;
  let m0 = i32(globalId.y) * 4;
  if (m0 >= uniforms.dimM || n0 >= uniforms.dimN) { return; }
  let p0 = pixel(m0);
  let p1 = pixel(m0 + 1);
  let p2 = pixel(m0 + 2);
  let p3 = pixel(m0 + 3);
  let nq = uniforms.dimN >> 2u;
  // acc_i[j] = output channels n0+4j..n0+4j+3 of pixel m0+i.
  var acc0 = mat4x4<f32>();
  var acc1 = mat4x4<f32>();
  var acc2 = mat4x4<f32>();
  var acc3 = mat4x4<f32>();
  for (var kh = 0; kh < uniforms.filterHW.x; kh = kh + 1) {
    let dh = kh * uniforms.dilation.x;
    for (var kw = 0; kw < uniforms.filterHW.y; kw = kw + 1) {
      let dw = kw * uniforms.dilation.y;
      let o0 = tapOffset(p0, dh, dw);
      let o1 = tapOffset(p1, dh, dw);
      let o2 = tapOffset(p2, dh, dw);
      let o3 = tapOffset(p3, dh, dw);
      // vec4 index of w[tap row, n0] in W [fH*fW*Cin, Cout].
      var q = (((kh * uniforms.filterHW.y + kw) * uniforms.inC) * uniforms.dimN + n0) >> 2u;
      for (var c = 0; c < uniforms.inC; c = c + 1) {
        let wc = mat4x4<f32>(w[q], w[q + 1], w[q + 2], w[q + 3]);
        acc0 = acc0 + xAt(o0, c) * wc;
        acc1 = acc1 + xAt(o1, c) * wc;
        acc2 = acc2 + xAt(o2, c) * wc;
        acc3 = acc3 + xAt(o3, c) * wc;
        q = q + nq;
      }
    }
  }
  store(m0, n0, acc0);
  store(m0 + 1, n0, acc1);
  store(m0 + 2, n0, acc2);
  store(m0 + 3, n0, acc3);
}
