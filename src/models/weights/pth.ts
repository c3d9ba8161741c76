// PyTorch .pth/.pt (torch.save zip format since 1.6): <root>/data.pkl is a pickle of the
// state_dict whose tensors point at storages <root>/data/<key>. The pickle goes through the
// restricted interpreter (pickle.ts): it cannot run code. Only data.pkl and the storages it
// references are read (zip.ts). Every tensor view (shape, stride, offset) is checked against
// its storage before a value is copied. Tensors come back in PyTorch layout.
import {
  checkShape,
  describe,
  isCount,
  LIMITS,
  mib,
  ParseBudget,
  readingFile,
  refuse,
  refuseNonFinite,
} from '../../shared/badFile';
import { storageRef, unpickle, type StorageRef, type TensorRef } from './pickle';
import { decodeDtype, DTYPE_BYTES } from './safetensors';
import { numel, type StateDict } from './tensors';
import { openZip } from './zip';

const isZip = (b: Uint8Array) => b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

export function readPth(
  bytes: Uint8Array,
  file = 'PyTorch checkpoint',
  budget = new ParseBudget(),
): StateDict {
  return readingFile(file, () => parse(bytes, budget));
}

function parse(bytes: Uint8Array, budget: ParseBudget): StateDict {
  if (bytes.length > LIMITS.fileBytes)
    refuse(`${mib(bytes.length)}: over the ${mib(LIMITS.fileBytes)} cap for weight files`);
  if (!isZip(bytes))
    refuse(
      'not a zip-format PyTorch checkpoint (saved by torch < 1.6 or not a .pth): re-save it with a recent torch.save',
    );
  const zip = openZip(bytes, budget);
  const pklName = zip.names.find((n) => /(^|\/)data\.pkl$/.test(n));
  if (!pklName) refuse('no data.pkl in the zip: not a torch.save checkpoint');
  const root = pklName.slice(0, -'data.pkl'.length);
  const obj = unpickle(zip.read(pklName, LIMITS.pickleBytes), storageRef, budget);
  // Checkpoints often wrap the weights: {'state_dict': ...} or {'model': ...}.
  let dict = obj as Map<unknown, unknown>;
  for (const wrap of ['state_dict', 'model', 'model_state_dict'])
    if (dict instanceof Map && dict.get(wrap) instanceof Map)
      dict = dict.get(wrap) as Map<unknown, unknown>;
  if (!(dict instanceof Map)) refuse('PyTorch checkpoint is not a state_dict (a dict of tensors)');
  if (dict.size > LIMITS.tensors) refuse(`${dict.size} entries: over the cap of ${LIMITS.tensors}`);
  const storages = new Map<string, { dtype: string; data: Float32Array }>();
  // Non-contiguous views are copied: together they may not hold more values than the storages
  // read (a stride-0 view would otherwise turn 4 bytes into gigabytes).
  let [stored, gathered] = [0, 0];
  const out: StateDict = new Map();
  for (const [k, v] of dict) {
    const t = v as TensorRef;
    budget.check();
    if (!t || t.kind !== 'tensor') continue;
    const key = String(k);
    const s = t.storage;
    let st = storages.get(s.key);
    if (!st) {
      const name = `${root}data/${s.key}`;
      if (!zip.has(name)) refuse(`missing storage data/${s.key} (for '${key}')`);
      const raw = zip.read(name);
      const size = DTYPE_BYTES[s.dtype];
      if (s.numel * size > raw.length)
        refuse(`storage data/${s.key} has ${raw.length} bytes, its header says ${s.numel * size}`);
      if ((stored += s.numel) > LIMITS.elements)
        refuse(`storages of over ${LIMITS.elements} values in all: over the cap`);
      st = { dtype: s.dtype, data: decodeDtype(s.dtype, raw, s.numel) };
      storages.set(s.key, st);
    } else if (st.dtype !== s.dtype) refuse(`storage data/${s.key} is read as two dtypes`);
    const view = checkView(key, t, s);
    if (!view.contiguous && (gathered += view.n) > stored)
      refuse(`strided views hold more values than the storages (at tensor '${key}')`);
    const data = gather(st.data, t, view);
    refuseNonFinite(key, data);
    out.set(key, { shape: t.shape as number[], data });
  }
  return out;
}

/** Shape, stride and offset are integers, and every index the view reaches is inside the storage. */
function checkView(key: string, t: TensorRef, s: StorageRef) {
  const what = `tensor '${key}'`;
  const n = checkShape(t.shape, what);
  const shape = t.shape as number[];
  if (t.stride.length !== shape.length || !t.stride.every(isCount))
    refuse(`${what} has stride [${t.stride.map(describe)}] for shape [${shape}]`);
  if (!isCount(t.offset)) refuse(`${what} has storage offset ${describe(t.offset)}`);
  const stride = t.stride as number[];
  const size = DTYPE_BYTES[s.dtype];
  if (n > s.numel)
    refuse(`${what} has shape [${shape}] (${n} values) but its storage holds ${s.numel}`);
  const last = n && shape.reduce((m, d, i) => m + (d - 1) * stride[i], t.offset);
  if (n && last >= s.numel)
    refuse(
      `${what} needs ${(last + 1 - t.offset) * size} bytes at offset ${t.offset * size} ` +
        `but its storage has ${s.numel * size}`,
    );
  const contiguous = shape.every((d, i) => stride[i] === numel(shape.slice(i + 1)) || d === 1);
  return { n, contiguous };
}

/** A contiguous view is a subarray (no copy); a strided one is gathered into row-major order. */
function gather(
  storage: Float32Array,
  t: TensorRef,
  { n, contiguous }: { n: number; contiguous: boolean },
): Float32Array {
  if (contiguous) return storage.subarray(t.offset, t.offset + n);
  const [shape, stride] = [t.shape as number[], t.stride as number[]];
  const out = new Float32Array(n);
  const idx = new Array(shape.length).fill(0);
  for (let o = 0; o < n; o++) {
    let src = t.offset;
    for (let d = 0; d < idx.length; d++) src += idx[d] * stride[d];
    out[o] = storage[src];
    for (let d = idx.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}
