// Hostile pickles: each one ends in a clear refusal, fast, with bounded memory (craft.ts
// `refused`). The first is the 150-byte .pth that used to hang the worker.
import { describe, expect, it } from 'vitest';

import { LIMITS } from '../../src/shared/badFile';
import { storageRef, unpickle } from '../../src/models/weights/pickle';
import { readPth } from '../../src/models/weights/pth';
import { makePth, P, refused, statePickle } from './craft';

const un = (ops: number[]) => {
  const bytes = Uint8Array.from(ops);
  return () => unpickle(bytes, storageRef);
};
const repeat = (ops: number[], n: number) => Array.from({ length: n }, () => ops).flat();

describe('hostile pickles', () => {
  it('GLOBAL without a terminating newline: refused, not a loop from the start (the 150-byte .pth)', () => {
    const pkl = Uint8Array.from([
      0x80,
      2,
      0x63,
      ...new TextEncoder().encode('collections OrderedDict'),
    ]);
    const pth = makePth(pkl, {});
    expect(pth.length).toBeLessThan(400);
    refused(
      () => readPth(pth, 'model.pth'),
      /^model\.pth: pickle opcode 0x63 at byte 2: its text argument has no terminating newline/,
    );
  });

  it('a length that runs past the end (BINUNICODE of 2^31 bytes)', () => {
    refused(
      un([0x80, 2, 0x58, 0, 0, 0, 0x80, 0x41]),
      /opcode 0x58 at byte 2: needs 2147483648 bytes, the pickle has 1 left/,
    );
  });

  it('truncated: no STOP', () => {
    refused(un([0x80, 2, 0x4e, 0x4e]), /ended without STOP/);
  });

  it('an unknown opcode (INST, which can call anything)', () => {
    refused(
      un([0x80, 2, 0x69, 0x6f, 0x73, 0x0a]),
      /opcode 0x69 at byte 2 is not one a tensor checkpoint needs/,
    );
  });

  it('a huge memo index that was never stored', () => {
    refused(
      un([0x80, 2, 0x6a, 0xff, 0xff, 0xff, 0xff, 0x2e]),
      /memo entry 4294967295 was never stored/,
    );
  });

  it('memo flood: over a cap of distinct LONG_BINPUT indices', () => {
    const ops = [0x80, 2, 0x4e];
    for (let i = 0; i <= LIMITS.pickleValues; i++)
      ops.push(0x72, i & 0xff, (i >> 8) & 0xff, i >> 16, 0);
    refused(un(ops), /memo is over the cap/);
  });

  it('MARK flood: the stack is capped', () => {
    refused(
      un([0x80, 2, ...new Array(LIMITS.pickleValues + 1).fill(0x28), 0x2e]),
      /stack is over the cap/,
    );
  });

  it('container flood: a list of empty dicts is capped', () => {
    refused(
      un([0x80, 2, 0x5d, ...repeat([0x7d, 0x61], LIMITS.pickleValues + 1), 0x2e]),
      /builds over \d+ containers/,
    );
  });

  it('deep nesting (200 000 lists in lists) is not a state dict, and no recursion overflows', () => {
    const n = 200_000;
    const pkl = Uint8Array.from([
      0x80,
      2,
      ...new Array(n).fill(0x5d),
      ...new Array(n - 1).fill(0x61),
      0x2e,
    ]);
    refused(
      () => readPth(makePth(pkl, {}), 'deep.pth'),
      /deep\.pth: PyTorch checkpoint is not a state_dict/,
    );
  });

  it('popping an empty stack (TUPLE2 first)', () => {
    refused(un([0x80, 2, 0x86, 0x2e]), /opcode 0x86 at byte 2: the stack is empty/);
  });

  it('APPEND onto something that is not a list', () => {
    refused(un([0x80, 2, 0x4e, 0x4e, 0x61, 0x2e]), /null is not a list/);
  });

  it('STACK_GLOBAL with a number for a module name', () => {
    refused(un([0x80, 2, 0x4b, 1, ...P.str('eval'), 0x93, 0x2e]), /1 is not a string/);
  });

  it('REDUCE on a value that is not an allowed global', () => {
    refused(
      un([0x80, 2, ...P.str('os.system'), 0x29, 0x52, 0x2e]),
      /pickle calls "os.system", which is not allowed/,
    );
  });

  it('a 200-byte LONG1 integer', () => {
    refused(un([0x80, 2, 0x8a, 200, ...new Array(200).fill(1), 0x2e]), /a 200-byte integer/);
  });

  it('a storage whose type is not an allowed global (torch.ComplexFloatStorage)', () => {
    const pkl = statePickle([
      { key: 'w', storage: '0', numel: 1, shape: [1], type: 'ComplexFloatStorage' },
    ]);
    refused(
      () => readPth(makePth(pkl, { 0: new Uint8Array(8) })),
      /'torch\.ComplexFloatStorage'.*Nothing was executed/,
    );
  });

  it('a storage size that is not a count', () => {
    const ops = [
      ...P.tuple(
        P.str('storage'),
        P.global('torch', 'FloatStorage'),
        P.str('0'),
        P.str('cpu'),
        P.str('lots'),
      ),
      0x51,
      0x2e,
    ];
    refused(un([0x80, 2, ...ops]), /storage '0' has size "lots"/);
  });
});
