// safetensors: 8-byte little-endian header length, a JSON header
// {name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?}, then raw little-endian data.
// Tensors are returned in the file's (PyTorch) layout, converted to float32.
import { numel, type RawTensor, type StateDict } from './tensors';

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

export function readSafetensors(buf: Uint8Array): {
  tensors: StateDict;
  metadata: Record<string, string>;
} {
  if (buf.byteLength < 8)
    throw new Error('not a safetensors file (shorter than its 8-byte header length)');
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  if (n <= 0 || 8 + n > buf.byteLength)
    throw new Error(`not a safetensors file (header length ${n} exceeds the file)`);
  let header: Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>
  >;
  try {
    header = JSON.parse(new TextDecoder().decode(buf.subarray(8, 8 + n)));
  } catch {
    throw new Error('not a safetensors file (header is not JSON)');
  }
  const tensors: StateDict = new Map();
  const body = buf.subarray(8 + n);
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const {
      dtype,
      shape,
      data_offsets: [b, e],
    } = info as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const size = DTYPE_BYTES[dtype];
    if (!size) throw new Error(`safetensors tensor '${name}' has unsupported dtype ${dtype}`);
    const count = numel(shape);
    if (e - b !== count * size || e > body.byteLength)
      throw new Error(
        `safetensors tensor '${name}' (${dtype} [${shape}]) has inconsistent offsets [${b}, ${e}]`,
      );
    tensors.set(name, { shape, data: decodeDtype(dtype, body.subarray(b, e), count) });
  }
  return { tensors, metadata: (header.__metadata__ as Record<string, string>) ?? {} };
}

/** Writes float32 tensors (in whatever layout the caller chose; the studio writes PyTorch's). */
export function writeSafetensors(
  tensors: StateDict,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    header[name] = {
      dtype: 'F32',
      shape: t.shape,
      data_offsets: [offset, offset + t.data.length * 4],
    };
    offset += t.data.length * 4;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces so the data starts 8-byte aligned (as the reference writer does).
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const hbytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + hbytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(hbytes.length), true);
  out.set(hbytes, 8);
  let p = 8 + hbytes.length;
  for (const t of tensors.values()) {
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    // Float32Array is platform-endian; every platform the studio runs on is little-endian.
    out.set(bytes, p);
    p += bytes.length;
  }
  return out;
}

export type { RawTensor };
