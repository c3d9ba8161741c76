// fastai TTA's blend, without tfjs: shared by the studio (learn/tta.ts) and the one-file page.
/** fastai TTA's blend: torch.lerp(mean of augmented passes, plain pass, beta); or the max of all. */
export function ttaBlend(
  aug: Float32Array[],
  plain: Float32Array,
  beta = 0.25,
  useMax = false,
): Float32Array {
  const out = new Float32Array(plain.length);
  for (let j = 0; j < out.length; j++) {
    const a = useMax
      ? Math.max(...aug.map((p) => p[j]))
      : aug.reduce((s, p) => s + p[j], 0) / aug.length;
    out[j] = useMax ? Math.max(a, plain[j]) : a + beta * (plain[j] - a);
  }
  return out;
}
