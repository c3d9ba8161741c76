// safetensors (https://github.com/huggingface/safetensors): 8-byte little-endian header length,
// a JSON header {name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?} padded with
// spaces so the data starts 8-byte aligned, then the raw little-endian data. The one reader and
// writer of the studio (weight import, session archives, exports). The reader returns tensors in
// the file's layout, as float32, after checking the header against the file: header length
// capped and inside the file, every entry's dtype known, shape x dtype size equal to its span,
// spans inside the data and not overlapping (aliased entries would be decoded again each), the
// counts under LIMITS, and no NaN/Inf.
import {
  checkShape,
  describe,
  isCount,
  LIMITS,
  mib,
  ParseBudget,
  parseJson,
  readingFile,
  refuse,
  refuseNonFinite,
} from '../../shared/badFile';
import type { RawTensor, StateDict } from './tensors';

export const DTYPE_BYTES: Record<string, number> = {
  F32: 4,
  F64: 8,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Decodes `count` little-endian values of a dtype into float32. */
export function decodeDtype(dtype: string, bytes: Uint8Array, count: number): Float32Array {
  // Fast path (every platform the studio runs on is little-endian): a view when aligned, so a
  // 100 MB checkpoint is not copied; else an aligned copy.
  if (dtype === 'F32') {
    if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, count);
    const copy = new Uint8Array(count * 4);
    copy.set(bytes.subarray(0, count * 4));
    return new Float32Array(copy.buffer);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    switch (dtype) {
      case 'F32':
        out[i] = dv.getFloat32(i * 4, true);
        break;
      case 'F64':
        out[i] = dv.getFloat64(i * 8, true);
        break;
      case 'F16':
        out[i] = halfToFloat(dv.getUint16(i * 2, true));
        break;
      case 'BF16':
        out[i] = new Float32Array(new Uint32Array([dv.getUint16(i * 2, true) << 16]).buffer)[0];
        break;
      case 'I64':
        out[i] = Number(dv.getBigInt64(i * 8, true));
        break;
      case 'I32':
        out[i] = dv.getInt32(i * 4, true);
        break;
      case 'I16':
        out[i] = dv.getInt16(i * 2, true);
        break;
      case 'I8':
        out[i] = dv.getInt8(i);
        break;
      case 'U8':
      case 'BOOL':
        out[i] = dv.getUint8(i);
        break;
      default:
        throw new Error(`unsupported dtype ${dtype}`);
    }
  }
  return out;
}

export function readSafetensors(
  buf: Uint8Array,
  file = 'safetensors file',
  budget = new ParseBudget(),
): { tensors: StateDict; metadata: Record<string, string> } {
  return readingFile(file, () => parse(buf, budget));
}

interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

function parse(buf: Uint8Array, budget: ParseBudget) {
  if (buf.byteLength > LIMITS.fileBytes)
    refuse(`${mib(buf.byteLength)}: over the ${mib(LIMITS.fileBytes)} cap for weight files`);
  if (buf.byteLength < 8) refuse('not a safetensors file (shorter than its 8-byte header length)');
  const n = new DataView(buf.buffer, buf.byteOffset, 8).getBigUint64(0, true);
  if (n < 2n || n > BigInt(buf.byteLength - 8))
    refuse(`not a safetensors file (header length ${n} exceeds the file)`);
  if (n > LIMITS.safetensorsHeaderBytes)
    refuse(`header of ${n} bytes: over the ${mib(LIMITS.safetensorsHeaderBytes)} cap`);
  const bytes = buf.subarray(8, 8 + Number(n));
  if (bytes[0] !== 0x7b) refuse('not a safetensors file (header is not a JSON object)');
  // {name: {shape: [...]}} nests 3 deep; anything deeper is not a safetensors header.
  const header = parseJson(bytes, 'the header', 3, budget) as Record<string, unknown>;
  const { __metadata__: meta = {}, ...rest } = header;
  if (!meta || typeof meta !== 'object' || Object.values(meta).some((v) => typeof v !== 'string'))
    refuse('__metadata__ is not a map of strings');
  const names = Object.keys(rest);
  if (names.length > LIMITS.tensors)
    refuse(`${names.length} tensors: over the cap of ${LIMITS.tensors}`);
  const body = buf.subarray(8 + Number(n));
  const entries = names.map((name) => entry(name, rest[name], body.byteLength));
  // Aliased (overlapping) spans: empty tensors hold nothing and cannot overlap.
  const spans = entries.filter((e) => e.end > e.begin).sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < spans.length; i++)
    if (spans[i].begin < spans[i - 1].end)
      refuse(
        `tensors '${spans[i - 1].name}' [${spans[i - 1].begin}, ${spans[i - 1].end}] and ` +
          `'${spans[i].name}' [${spans[i].begin}, ${spans[i].end}] overlap`,
      );
  const total = entries.reduce((s, e) => s + (e.end - e.begin) / DTYPE_BYTES[e.dtype], 0);
  if (total > LIMITS.elements)
    refuse(`${total} values in all: over the cap of ${LIMITS.elements} per file`);
  const tensors: StateDict = new Map();
  for (const { name, dtype, shape, begin, end } of entries) {
    budget.check();
    const data = decodeDtype(dtype, body.subarray(begin, end), (end - begin) / DTYPE_BYTES[dtype]);
    refuseNonFinite(name, data);
    tensors.set(name, { shape, data });
  }
  return { tensors, metadata: meta as Record<string, string> };
}

function entry(name: string, info: unknown, dataBytes: number): Entry {
  const what = `tensor '${name}'`;
  if (!info || typeof info !== 'object' || Array.isArray(info))
    refuse(`${what} is ${describe(info)}, not {dtype, shape, data_offsets}`);
  const { dtype, shape, data_offsets: offs } = info as Record<string, unknown>;
  const size = typeof dtype === 'string' && Object.hasOwn(DTYPE_BYTES, dtype) && DTYPE_BYTES[dtype];
  if (!size) return refuse(`${what} has unsupported dtype ${describe(dtype)}`);
  const count = checkShape(shape, what);
  if (!Array.isArray(offs) || offs.length !== 2 || !offs.every(isCount))
    refuse(`${what} has data_offsets ${describe(offs)}: not two non-negative integers`);
  const [begin, end] = offs as [number, number];
  if (begin > end || end > dataBytes)
    refuse(`${what} has data_offsets [${begin}, ${end}] outside the ${dataBytes} bytes of data`);
  if (end - begin !== count * size)
    refuse(
      `${what} (${dtype} [${shape as number[]}]) needs ${count * size} bytes but its ` +
        `data_offsets [${begin}, ${end}] span ${end - begin}`,
    );
  return { name, dtype, shape: shape as number[], begin, end };
}

// ************* writing *************

/** What the writer takes: float32 tensors, and int64 ones (BatchNorm's `num_batches_tracked`). */
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
  // Pad the header with spaces so the data starts 8-byte aligned (as the reference writer does).
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

/** Float32 tensors (in whatever layout the caller chose; the studio writes PyTorch's). */
export const writeSafetensors = (tensors: StateDict, metadata: Record<string, string> = {}) =>
  writeSafetensorsTyped(new Map([...tensors].map(([k, t]) => [k, f32(t.shape, t.data)])), metadata);

export type { RawTensor };
