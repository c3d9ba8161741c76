// PyTorch .pth/.pt (torch.save zip format since 1.6): <root>/data.pkl is a pickle of the
// state_dict whose tensors point at storages <root>/data/<key>. The pickle goes through the
// restricted interpreter (pickle.ts): it cannot run code. Tensors come back in PyTorch layout.
import { unzipSync } from 'fflate';

import { storageRef, unpickle, type TensorRef } from './pickle';
import { decodeDtype, DTYPE_BYTES } from './safetensors';
import { numel, type StateDict } from './tensors';

const isZip = (b: Uint8Array) => b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

export function readPth(bytes: Uint8Array): StateDict {
  if (!isZip(bytes))
    throw new Error(
      'not a zip-format PyTorch checkpoint (saved by torch < 1.6 or not a .pth): re-save it with a recent torch.save',
    );
  const files = unzipSync(bytes);
  const pklName = Object.keys(files).find((n) => /(^|\/)data\.pkl$/.test(n));
  if (!pklName) throw new Error('PyTorch checkpoint has no data.pkl');
  const root = pklName.slice(0, -'data.pkl'.length);
  const obj = unpickle(files[pklName], storageRef);
  // Checkpoints often wrap the weights: {'state_dict': ...} or {'model': ...}.
  let dict = obj as Map<unknown, unknown>;
  for (const wrap of ['state_dict', 'model', 'model_state_dict'])
    if (dict instanceof Map && dict.get(wrap) instanceof Map)
      dict = dict.get(wrap) as Map<unknown, unknown>;
  if (!(dict instanceof Map))
    throw new Error('PyTorch checkpoint is not a state_dict (a dict of tensors)');
  const out: StateDict = new Map();
  const cache = new Map<string, Float32Array>();
  for (const [k, v] of dict) {
    const t = v as TensorRef;
    if (!t || t.kind !== 'tensor') continue;
    const s = t.storage;
    let data = cache.get(s.key);
    if (!data) {
      const raw = files[`${root}data/${s.key}`];
      if (!raw)
        throw new Error(`PyTorch checkpoint is missing storage data/${s.key} (for '${String(k)}')`);
      data = decodeDtype(
        s.dtype,
        raw,
        Math.min(s.numel, Math.floor(raw.length / DTYPE_BYTES[s.dtype])),
      );
      cache.set(s.key, data);
    }
    out.set(String(k), { shape: t.shape, data: gather(data, t) });
  }
  return out;
}

/** Copies a (possibly strided/offset) view of a storage into a contiguous row-major array. */
function gather(storage: Float32Array, t: TensorRef): Float32Array {
  const n = numel(t.shape);
  const contiguous = t.shape.every(
    (_, i) => t.stride[i] === numel(t.shape.slice(i + 1)) || t.shape[i] === 1,
  );
  if (contiguous) return storage.slice(t.offset, t.offset + n);
  const out = new Float32Array(n);
  const idx = new Array(t.shape.length).fill(0);
  for (let o = 0; o < n; o++) {
    let src = t.offset;
    for (let d = 0; d < idx.length; d++) src += idx[d] * t.stride[d];
    out[o] = storage[src];
    for (let d = idx.length - 1; d >= 0; d--) {
      if (++idx[d] < t.shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}
