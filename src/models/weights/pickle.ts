// A RESTRICTED pickle interpreter for PyTorch checkpoints. Python's pickle can call any global
// (os.system, eval, ...); this one never calls anything: it knows a short allow-list of globals
// (tensor rebuilds, OrderedDict, storage types) and returns plain data for them, and refuses
// any other global with an error naming it. Unknown opcodes are refused too.

/** A storage reference from a persistent id: ('storage', <dtype>Storage, key, location, numel). */
export interface StorageRef {
  kind: 'storage';
  dtype: string;
  key: string;
  numel: number;
}

/** A tensor rebuild from torch._utils._rebuild_tensor_v2 (also via _rebuild_parameter). */
export interface TensorRef {
  kind: 'tensor';
  storage: StorageRef;
  offset: number;
  shape: number[];
  stride: number[];
}

interface GlobalRef {
  kind: 'global';
  name: string;
}

const STORAGE_DTYPES: Record<string, string> = {
  FloatStorage: 'F32',
  DoubleStorage: 'F64',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
};

/** Every global a state_dict checkpoint needs; anything else is refused. */
export const ALLOWED_GLOBALS = new Set([
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  ...Object.keys(STORAGE_DTYPES).map((s) => `torch.${s}`),
]);

export class UnsafePickleError extends Error {}

const MARK = Symbol('mark');

/** Parses a pickle. `persistentLoad` resolves persistent ids (PyTorch storages). */
export function unpickle(bytes: Uint8Array, persistentLoad: (pid: unknown) => unknown): unknown {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder();
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  let p = 0;
  const u8 = () => bytes[p++];
  const u16 = () => ((p += 2), dv.getUint16(p - 2, true));
  const u32 = () => ((p += 4), dv.getUint32(p - 4, true));
  const i32 = () => ((p += 4), dv.getInt32(p - 4, true));
  const take = (n: number) => ((p += n), bytes.subarray(p - n, p));
  const line = () => {
    const e = bytes.indexOf(10, p);
    const s = text.decode(bytes.subarray(p, e));
    p = e + 1;
    return s;
  };
  const popMark = () => {
    const out: unknown[] = [];
    for (;;) {
      const v = stack.pop();
      if (v === MARK) return out.reverse();
      if (stack.length === 0 && v === undefined) throw new Error('pickle: MARK not found');
      out.push(v);
    }
  };
  const global = (module: string, name: string): GlobalRef => {
    const full = `${module}.${name}`;
    if (!ALLOWED_GLOBALS.has(full))
      throw new UnsafePickleError(
        `refused: the checkpoint's pickle references the global '${full}', which is not a tensor ` +
          `rebuild (allowed: ${[...ALLOWED_GLOBALS].join(', ')}). Nothing was executed.`,
      );
    return { kind: 'global', name: full };
  };
  const call = (fn: unknown, args: unknown[]): unknown => {
    const name = (fn as GlobalRef)?.name;
    if (name === 'collections.OrderedDict') return new Map();
    if (name === 'torch._utils._rebuild_tensor_v2') {
      const [storage, offset, shape, stride] = args as [StorageRef, number, number[], number[]];
      return {
        kind: 'tensor',
        storage,
        offset,
        shape: [...shape],
        stride: [...stride],
      } satisfies TensorRef;
    }
    if (name === 'torch._utils._rebuild_parameter') return args[0];
    throw new UnsafePickleError(`refused: pickle calls ${name ?? typeof fn}, which is not allowed`);
  };
  const setItem = (d: unknown, k: unknown, v: unknown) => {
    if (d instanceof Map) d.set(k, v);
    else if (d && typeof d === 'object') (d as Record<string, unknown>)[String(k)] = v;
    else throw new Error('pickle: SETITEM on a non-dict');
  };
  for (;;) {
    if (p >= bytes.length) throw new Error('pickle: ended without STOP');
    const op = u8();
    switch (op) {
      case 0x80:
        u8();
        break; // PROTO
      case 0x95:
        p += 8;
        break; // FRAME
      case 0x2e:
        return stack.pop(); // STOP
      case 0x28:
        stack.push(MARK);
        break; // MARK
      case 0x7d:
        stack.push(new Map());
        break; // EMPTY_DICT
      case 0x5d:
        stack.push([]);
        break; // EMPTY_LIST
      case 0x29:
        stack.push([]);
        break; // EMPTY_TUPLE
      case 0x4e:
        stack.push(null);
        break; // NONE
      case 0x88:
        stack.push(true);
        break; // NEWTRUE
      case 0x89:
        stack.push(false);
        break; // NEWFALSE
      case 0x4b:
        stack.push(u8());
        break; // BININT1
      case 0x4d:
        stack.push(u16());
        break; // BININT2
      case 0x4a:
        stack.push(i32());
        break; // BININT
      case 0x8a: {
        // LONG1
        const n = u8();
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[p + i]);
        if (n > 0 && bytes[p + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        p += n;
        stack.push(Number(v));
        break;
      }
      case 0x47:
        stack.push(((p += 8), dv.getFloat64(p - 8, false)));
        break; // BINFLOAT
      case 0x58: {
        const n = u32();
        stack.push(text.decode(take(n)));
        break;
      } // BINUNICODE
      case 0x8c: {
        const n = u8();
        stack.push(text.decode(take(n)));
        break;
      } // SHORT_BINUNICODE
      case 0x55: {
        const n = u8();
        stack.push(text.decode(take(n)));
        break;
      } // SHORT_BINSTRING
      case 0x54: {
        const n = u32();
        stack.push(text.decode(take(n)));
        break;
      } // BINSTRING
      case 0x43: {
        const n = u8();
        stack.push(take(n).slice());
        break;
      } // SHORT_BINBYTES
      case 0x42: {
        const n = u32();
        stack.push(take(n).slice());
        break;
      } // BINBYTES
      case 0x71:
        memo.set(u8(), stack[stack.length - 1]);
        break; // BINPUT
      case 0x72:
        memo.set(u32(), stack[stack.length - 1]);
        break; // LONG_BINPUT
      case 0x94:
        memo.set(memo.size, stack[stack.length - 1]);
        break; // MEMOIZE
      case 0x68:
        stack.push(memo.get(u8()));
        break; // BINGET
      case 0x6a:
        stack.push(memo.get(u32()));
        break; // LONG_BINGET
      case 0x74:
        stack.push(popMark());
        break; // TUPLE
      case 0x85:
        stack.push([stack.pop()]);
        break; // TUPLE1
      case 0x86: {
        const b = stack.pop();
        const a = stack.pop();
        stack.push([a, b]);
        break;
      } // TUPLE2
      case 0x87: {
        const c = stack.pop();
        const b = stack.pop();
        const a = stack.pop();
        stack.push([a, b, c]);
        break;
      } // TUPLE3
      case 0x61: {
        const v = stack.pop();
        (stack[stack.length - 1] as unknown[]).push(v);
        break;
      } // APPEND
      case 0x65: {
        const items = popMark();
        (stack[stack.length - 1] as unknown[]).push(...items);
        break;
      } // APPENDS
      case 0x73: {
        const v = stack.pop();
        const k = stack.pop();
        setItem(stack[stack.length - 1], k, v);
        break;
      } // SETITEM
      case 0x75: {
        // SETITEMS
        const items = popMark();
        for (let i = 0; i < items.length; i += 2)
          setItem(stack[stack.length - 1], items[i], items[i + 1]);
        break;
      }
      case 0x63: {
        const m = line();
        const n = line();
        stack.push(global(m, n));
        break;
      } // GLOBAL
      case 0x93: {
        const n = stack.pop() as string;
        const m = stack.pop() as string;
        stack.push(global(m, n));
        break;
      } // STACK_GLOBAL
      case 0x52: {
        const args = stack.pop() as unknown[];
        const fn = stack.pop();
        stack.push(call(fn, args));
        break;
      } // REDUCE
      case 0x51:
        stack.push(persistentLoad(stack.pop()));
        break; // BINPERSID
      // BUILD sets an object's state: for an OrderedDict that is `_metadata`, which we drop.
      case 0x62:
        stack.pop();
        break;
      default:
        throw new UnsafePickleError(
          `refused: pickle opcode 0x${op.toString(16)} at byte ${p - 1} is not one a tensor checkpoint needs`,
        );
    }
  }
}

export function storageRef(pid: unknown): StorageRef {
  const t = pid as unknown[];
  if (!Array.isArray(t) || t[0] !== 'storage')
    throw new UnsafePickleError(`refused: unknown persistent id ${JSON.stringify(t?.[0])}`);
  const type = (t[1] as GlobalRef).name.replace(/^torch\./, '');
  const dtype = STORAGE_DTYPES[type];
  if (!dtype) throw new UnsafePickleError(`refused: storage type ${type}`);
  return { kind: 'storage', dtype, key: String(t[2]), numel: Number(t[4]) };
}
