// A RESTRICTED pickle interpreter for PyTorch checkpoints. Python's pickle can call any global
// (os.system, eval, ...); this one never calls anything: it knows a short allow-list of globals
// (tensor rebuilds, OrderedDict, storage types) and returns plain data for them, and refuses
// any other global with an error naming it. Unknown opcodes are refused too. Every read is
// bounds-checked and every value checked for the type an opcode needs, so a truncated or hostile
// pickle ends in one clear refusal, and the stack, memo and containers are capped (LIMITS): a
// loop runs at most once per byte, memory stays proportional to the file, and the file's time
// budget is checked as the opcodes run.
import { BadFileError, describe, isCount, LIMITS, ParseBudget, refuse } from '../../shared/badFile';

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
  /** Unchecked lists: pth.ts validates them against the storage, naming the tensor. */
  shape: unknown[];
  stride: unknown[];
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

export class UnsafePickleError extends BadFileError {}

const MARK = Symbol('mark');
const isGlobal = (v: unknown): v is GlobalRef => (v as GlobalRef)?.kind === 'global';

/** Parses a pickle. `persistentLoad` resolves persistent ids (PyTorch storages); `budget` is the
 * file's time budget (one tick per opcode). */
export function unpickle(
  bytes: Uint8Array,
  persistentLoad: (pid: unknown) => unknown,
  budget = new ParseBudget(),
): unknown {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder();
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  let p = 0;
  let [op, opAt, made] = [0, 0, 0];
  const at = () => `pickle opcode 0x${op.toString(16)} at byte ${opAt}`;
  const fail = (why: string): never => refuse(`${at()}: ${why}`);
  // ---- reads: each checks the bytes are there
  const need = (n: number) => {
    if (n > bytes.length - p) fail(`needs ${n} bytes, the pickle has ${bytes.length - p} left`);
  };
  const u8 = () => (need(1), bytes[p++]);
  const u16 = () => (need(2), (p += 2), dv.getUint16(p - 2, true));
  const u32 = () => (need(4), (p += 4), dv.getUint32(p - 4, true));
  const i32 = () => (need(4), (p += 4), dv.getInt32(p - 4, true));
  const f64 = () => (need(8), (p += 8), dv.getFloat64(p - 8, false)); // big-endian, as pickled
  const take = (n: number) => (need(n), (p += n), bytes.subarray(p - n, p));
  const line = () => {
    const e = bytes.indexOf(10, p);
    if (e < 0) fail('its text argument has no terminating newline (truncated or corrupt)');
    const s = text.decode(bytes.subarray(p, e));
    p = e + 1;
    return s;
  };
  // LONG1: little-endian two's complement; a storage size fits in 8 bytes.
  const long1 = () => {
    const n = u8();
    if (n > 8) fail(`a ${n}-byte integer`);
    const b = take(n);
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    if (n > 0 && b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
    return Number(v);
  };
  // ---- the stack: capped, and never popped past its bottom or a MARK
  const push = (v: unknown) => {
    if (stack.length >= LIMITS.pickleValues)
      fail(`the stack is over the cap of ${LIMITS.pickleValues} values`);
    stack.push(v);
  };
  const container = <T>(v: T): T => {
    if (++made > LIMITS.pickleValues)
      fail(`the pickle builds over ${LIMITS.pickleValues} containers`);
    return v;
  };
  const top = (): unknown => {
    if (!stack.length || stack[stack.length - 1] === MARK) fail('the stack is empty');
    return stack[stack.length - 1];
  };
  const pop = (): unknown => (top(), stack.pop());
  /** The top `n` values, in the order they were pushed. */
  const popN = (n: number) => Array.from({ length: n }, pop).reverse();
  const popMark = () => {
    const m = stack.lastIndexOf(MARK);
    if (m < 0) fail('no MARK on the stack');
    const out = stack.slice(m + 1);
    stack.length = m;
    return out;
  };
  const list = (v: unknown): unknown[] =>
    Array.isArray(v) ? v : fail(`${describe(v)} is not a list`);
  const str = (v: unknown): string =>
    typeof v === 'string' ? v : fail(`${describe(v)} is not a string`);
  const memoize = (i: number) => {
    if (!memo.has(i) && memo.size >= LIMITS.pickleValues)
      fail(`the memo is over the cap of ${LIMITS.pickleValues} entries`);
    memo.set(i, top());
  };
  const recall = (i: number) =>
    memo.has(i) ? memo.get(i) : fail(`memo entry ${i} was never stored`);
  // ---- the few "objects" a state_dict holds: globals are names, calls build plain data
  const global = ([module, name]: unknown[]): GlobalRef => {
    const full = `${str(module)}.${str(name)}`;
    // The name is the file's: printable and short in the message.
    const shown = full.replace(/[^\x20-\x7e]/g, '?').slice(0, 100);
    if (!ALLOWED_GLOBALS.has(full))
      throw new UnsafePickleError(
        `refused: the checkpoint's pickle references the global '${shown}', which is not a tensor ` +
          `rebuild (allowed: ${[...ALLOWED_GLOBALS].join(', ')}). Nothing was executed.`,
      );
    return { kind: 'global', name: full };
  };
  const reduce = ([fn, argList]: unknown[]): unknown => {
    const args = list(argList);
    const name = isGlobal(fn) ? fn.name : undefined;
    if (name === 'collections.OrderedDict') return container(new Map());
    if (name === 'torch._utils._rebuild_tensor_v2') {
      const [storage, offset, shape, stride] = args;
      if ((storage as StorageRef)?.kind !== 'storage') fail('a tensor rebuild without a storage');
      return container({
        kind: 'tensor',
        storage: storage as StorageRef,
        offset: offset as number,
        shape: [...list(shape)],
        stride: [...list(stride)],
      } satisfies TensorRef);
    }
    if (name === 'torch._utils._rebuild_parameter') return args[0];
    throw new UnsafePickleError(
      `refused: pickle calls ${name ?? describe(fn)}, which is not allowed`,
    );
  };
  const append = (items: unknown[]) => {
    const l = list(top());
    for (const v of items) l.push(v);
  };
  const setItems = (items: unknown[]) => {
    const d = top();
    if (!(d instanceof Map)) return fail('SETITEM on a non-dict');
    for (let i = 0; i + 1 < items.length; i += 2) d.set(items[i], items[i + 1]);
  };
  // ---- the opcodes a state_dict checkpoint needs (names as in Python's pickletools)
  const OPS: Record<number, () => unknown> = {
    0x80: u8, // PROTO
    0x95: () => take(8), // FRAME
    0x28: () => push(MARK), // MARK
    0x7d: () => push(container(new Map())), // EMPTY_DICT
    0x5d: () => push(container([])), // EMPTY_LIST
    0x29: () => push(container([])), // EMPTY_TUPLE
    0x4e: () => push(null), // NONE
    0x88: () => push(true), // NEWTRUE
    0x89: () => push(false), // NEWFALSE
    0x4b: () => push(u8()), // BININT1
    0x4d: () => push(u16()), // BININT2
    0x4a: () => push(i32()), // BININT
    0x8a: () => push(long1()), // LONG1
    0x47: () => push(f64()), // BINFLOAT
    0x58: () => push(text.decode(take(u32()))), // BINUNICODE
    0x54: () => push(text.decode(take(u32()))), // BINSTRING
    0x8c: () => push(text.decode(take(u8()))), // SHORT_BINUNICODE
    0x55: () => push(text.decode(take(u8()))), // SHORT_BINSTRING
    0x43: () => push(take(u8()).slice()), // SHORT_BINBYTES
    0x42: () => push(take(u32()).slice()), // BINBYTES
    0x71: () => memoize(u8()), // BINPUT
    0x72: () => memoize(u32()), // LONG_BINPUT
    0x94: () => memoize(memo.size), // MEMOIZE
    0x68: () => push(recall(u8())), // BINGET
    0x6a: () => push(recall(u32())), // LONG_BINGET
    0x74: () => push(container(popMark())), // TUPLE
    0x85: () => push(container(popN(1))), // TUPLE1
    0x86: () => push(container(popN(2))), // TUPLE2
    0x87: () => push(container(popN(3))), // TUPLE3
    0x61: () => append(popN(1)), // APPEND
    0x65: () => append(popMark()), // APPENDS
    0x73: () => setItems(popN(2)), // SETITEM
    0x75: () => setItems(popMark()), // SETITEMS
    0x63: () => push(global([line(), line()])), // GLOBAL
    0x93: () => push(global(popN(2))), // STACK_GLOBAL
    0x52: () => push(reduce(popN(2))), // REDUCE
    0x51: () => push(persistentLoad(pop())), // BINPERSID
    // BUILD sets an object's state: for an OrderedDict that is `_metadata`, which we drop.
    0x62: () => (pop(), top()), // BUILD
  };
  for (;;) {
    budget.tick();
    if (p >= bytes.length) return refuse('pickle: ended without STOP (truncated)');
    [opAt, op] = [p, bytes[p++]];
    if (op === 0x2e) return pop(); // STOP
    const run = OPS[op];
    if (!run) throw new UnsafePickleError(`refused: ${at()} is not one a tensor checkpoint needs`);
    run();
  }
}

/** ('storage', <dtype>Storage, key, location, numel), checked. */
export function storageRef(pid: unknown): StorageRef {
  const t = pid as unknown[];
  if (!Array.isArray(t) || t[0] !== 'storage')
    throw new UnsafePickleError(`refused: unknown persistent id ${describe(t?.[0] ?? t)}`);
  const type = isGlobal(t[1]) ? t[1].name.replace(/^torch\./, '') : describe(t[1]);
  const dtype = Object.hasOwn(STORAGE_DTYPES, type) ? STORAGE_DTYPES[type] : undefined;
  if (!dtype) throw new UnsafePickleError(`refused: storage type ${type}`);
  const key = t[2];
  if (typeof key !== 'string' && !isCount(key)) refuse(`pickle: storage key ${describe(key)}`);
  if (!isCount(t[4])) refuse(`pickle: storage '${key}' has size ${describe(t[4])}`);
  return { kind: 'storage', dtype, key: String(key), numel: t[4] };
}
