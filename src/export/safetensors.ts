// A safetensors writer for exports: float32 tensors plus the int64 scalars PyTorch keeps in a
// state dict (BatchNorm's `num_batches_tracked`). Layout (https://github.com/huggingface/safetensors):
// 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}},
// padded with spaces so the data starts 8-byte aligned, then the raw little-endian data.
// The reader is src/models/weights/safetensors.ts (it decodes I64 to float32).

export type TypedTensor =
  | { dtype: 'F32'; shape: number[]; data: Float32Array }
  | { dtype: 'I64'; shape: number[]; data: BigInt64Array };

export const f32 = (shape: number[], data: Float32Array): TypedTensor => ({
  dtype: 'F32',
  shape,
  data,
});
export const i64 = (shape: number[], values: number[]): TypedTensor => ({
  dtype: 'I64',
  shape,
  data: BigInt64Array.from(values.map((v) => BigInt(Math.round(v)))),
});

export function writeSafetensorsTyped(
  tensors: Map<string, TypedTensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length)
      throw new Error(`tensor '${name}': shape [${t.shape}] does not hold ${t.data.length} values`);
    header[name] = {
      dtype: t.dtype,
      shape: t.shape,
      data_offsets: [offset, offset + t.data.byteLength],
    };
    offset += t.data.byteLength;
  }
  const enc = new TextEncoder();
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + enc.encode(json).length) % 8)) % 8);
  const hbytes = enc.encode(json);
  const out = new Uint8Array(8 + hbytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(hbytes.length), true);
  out.set(hbytes, 8);
  let p = 8 + hbytes.length;
  // Typed arrays are platform-endian; every platform the studio runs on is little-endian.
  for (const t of tensors.values()) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), p);
    p += t.data.byteLength;
  }
  return out;
}
