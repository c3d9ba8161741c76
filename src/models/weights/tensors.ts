// A framework-neutral tensor as readers produce it: float32 data, shape, row-major.
export interface RawTensor {
  shape: number[];
  data: Float32Array;
}

export type StateDict = Map<string, RawTensor>;

const numel = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Transposes a row-major tensor by `perm` (the few we need: OIHW<->HWIO, [out,in]<->[in,out]). */
export function transpose(t: RawTensor, perm: number[]): RawTensor {
  const shape = perm.map((p) => t.shape[p]);
  const inStrides = t.shape.map((_, i) => numel(t.shape.slice(i + 1)));
  const out = new Float32Array(t.data.length);
  const idx = new Array(shape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let d = 0; d < shape.length; d++) src += idx[d] * inStrides[perm[d]];
    out[o] = t.data[src];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return { shape, data: out };
}

/** PyTorch layout -> ours: conv OIHW -> HWIO, linear [out, in] -> [in, out]. */
export function fromTorchLayout(t: RawTensor): RawTensor {
  if (t.shape.length === 4) return transpose(t, [2, 3, 1, 0]);
  if (t.shape.length === 2) return transpose(t, [1, 0]);
  return t;
}

/** Ours -> PyTorch layout (inverse of fromTorchLayout). */
export function toTorchLayout(t: RawTensor): RawTensor {
  if (t.shape.length === 4) return transpose(t, [3, 2, 0, 1]);
  if (t.shape.length === 2) return transpose(t, [1, 0]);
  return t;
}

export { numel };
