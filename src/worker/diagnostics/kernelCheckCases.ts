// The kernel check's cases (kernelCheckCase.ts builds them; kernelCheck.ts runs them).
import { binaryCase, type Case, convCase, matMulCase, maxPoolCase } from './kernelCheckCase';
import { RESNET50_CASES } from './kernelCheckResnet50';

/** Awkward on purpose: odd sizes, channels not multiple of 4, batch 1, all paddings and strides. */
export const CHECK_CASES: Case[] = [
  // Channel counts that are not multiples of 4 (padded to 4 inside the loads), every filter
  // size, stride 1 and 2 (strided backprop-input runs per output phase), all paddings.
  convCase('conv 3x3 s1 same, Cin 5, Cout 7, 9x11, b2', [2, 9, 11, 5], [3, 3, 5, 7], 1, 'same'),
  convCase(
    'conv 7x7 s2 pad 3, Cin 3, Cout 8, 13x11, b1 (RGB stem)',
    [1, 13, 11, 3],
    [7, 7, 3, 8],
    2,
    3,
  ),
  // 1-3 input channels and Cout % 16 == 0: the few-channel forward kernel (16 columns a thread).
  convCase(
    'fewc: conv 7x7 s2 pad 3, Cin 3, Cout 16, 13x11, b2 (RGB stem)',
    [2, 13, 11, 3],
    [7, 7, 3, 16],
    2,
    3,
  ),
  convCase(
    'fewc: fused conv 3x3 s1 same + bias + relu, Cin 1, Cout 32, 9x7, b1 (grayscale)',
    [1, 9, 7, 1],
    [3, 3, 1, 32],
    1,
    'same',
    { bias: true, activation: 'relu' },
  ),
  convCase(
    'fewc: conv 3x3 dilation 2 valid, Cin 2, Cout 48, 10x9, b3 (forward)',
    [3, 10, 9, 2],
    [3, 3, 2, 48],
    1,
    'valid',
    { dilation: 2, grads: false },
  ),
  convCase('conv 3x3 s2 valid, Cin 6, Cout 5, 11x10, b1', [1, 11, 10, 6], [3, 3, 6, 5], 2, 'valid'),
  convCase('conv 1x1 s2 same, Cin 3, Cout 6, 7x8, b2', [2, 7, 8, 3], [1, 1, 3, 6], 2, 'same'),
  convCase('conv 1x1 s1 valid, Cin 6, Cout 3, 5x5, b1', [1, 5, 5, 6], [1, 1, 6, 3], 1, 'valid'),
  convCase('conv 7x7 s1 same, Cin 5, Cout 4, 8x9, b1', [1, 8, 9, 5], [7, 7, 5, 4], 1, 'same'),
  convCase(
    'conv 3x3 s2 explicit [0,1]x[2,1], Cin 5, Cout 6, 8x9, b1',
    [1, 8, 9, 5],
    [3, 3, 5, 6],
    2,
    [
      [0, 0],
      [0, 1],
      [2, 1],
      [0, 0],
    ],
  ),
  convCase(
    'conv 2x2 s2 valid, Cin 3, Cout 3, 6x7, b1 (a phase with no taps)',
    [1, 6, 7, 3],
    [2, 2, 3, 3],
    2,
    'valid',
  ),
  convCase('conv 3x3 s2 same, Cin 8, Cout 12, 10x9, b1', [1, 10, 9, 8], [3, 3, 8, 12], 2, 'same'),
  convCase('conv 1x1 s1 valid, Cin 16, Cout 8, 7x7, b2', [2, 7, 7, 16], [1, 1, 16, 8], 1, 'valid'),
  convCase(
    'conv 1x1 s2 valid, Cin 8, Cout 12, 9x9, b2 (downsample)',
    [2, 9, 9, 8],
    [1, 1, 8, 12],
    2,
    'valid',
  ),
  convCase(
    'conv 7x7 s2 pad 3, Cin 4, Cout 8, 13x11, b1 (stem)',
    [1, 13, 11, 4],
    [7, 7, 4, 8],
    2,
    3,
  ),
  convCase(
    'conv 3x3 s2 explicit [1,2]x[2,0], Cin 4, Cout 4, 9x8, b2',
    [2, 9, 8, 4],
    [3, 3, 4, 4],
    2,
    [
      [0, 0],
      [1, 2],
      [2, 0],
      [0, 0],
    ],
  ),
  convCase('conv 3x3 s1 same, Cin 32, Cout 64, 6x6, b2', [2, 6, 6, 32], [3, 3, 32, 64], 1, 'same'),
  convCase(
    'conv 3x3 dilation 2 same, Cin 4, Cout 8 (forward)',
    [1, 9, 9, 4],
    [3, 3, 4, 8],
    1,
    'same',
    { dilation: 2, grads: false },
  ),
  // The 4x8-tile backprop-filter variant: Cout not a multiple of 4, a multiple of 4 but not 8
  // (the second column half past N), and a strided layer.
  convCase(
    'wgrad 4x8: conv 3x3 s1 same, Cin 5, Cout 7, 9x11, b2',
    [2, 9, 11, 5],
    [3, 3, 5, 7],
    1,
    'same',
    {
      variant: 'reg4x8-wg8x8',
    },
  ),
  convCase(
    'wgrad 4x8: conv 3x3 s2 same, Cin 8, Cout 12, 10x9, b1',
    [1, 10, 9, 8],
    [3, 3, 8, 12],
    2,
    'same',
    {
      variant: 'reg4x8-wg16x4',
    },
  ),
  convCase(
    'wgrad 4x8: conv 1x1 s1 valid, Cin 16, Cout 24, 5x5, b2',
    [2, 5, 5, 16],
    [1, 1, 16, 24],
    1,
    'valid',
    {
      variant: 'reg4x8-wg4x16',
    },
  ),
  // The 4x8-tile variants on every conv kernel at once (the forced variant applies to all three):
  // backprop-input strided (per phase) with Cin 12 (the second column half past N), and with
  // Cin 7 / Cout 5 (scalar loads and stores).
  convCase(
    'all 4x8: conv 3x3 s2 same, Cin 12, Cout 8, 9x10, b2',
    [2, 9, 10, 12],
    [3, 3, 12, 8],
    2,
    'same',
    {
      variant: 'reg4x8-wg8x8',
    },
  ),
  convCase(
    'all 4x8: conv 3x3 s1 valid, Cin 7, Cout 5, 7x8, b1',
    [1, 7, 8, 7],
    [3, 3, 7, 5],
    1,
    'valid',
    {
      variant: 'reg4x8-wg4x16',
    },
  ),
  // The 4x8-tile forward variant: Cout a multiple of 4 but not 8, Cin not a multiple of 4, and
  // fused bias + activation on the second column half.
  convCase(
    'fwd 4x8: conv 3x3 s1 same, Cin 5, Cout 12, 9x11, b2',
    [2, 9, 11, 5],
    [3, 3, 5, 12],
    1,
    'same',
    {
      variant: 'reg4x8-wg8x8',
      grads: false,
    },
  ),
  convCase(
    'fwd 4x8: conv 3x3 s2 same + bias + elu, Cin 8, Cout 24, 10x9, b1',
    [1, 10, 9, 8],
    [3, 3, 8, 24],
    2,
    'same',
    {
      variant: 'reg4x8-wg16x4',
      bias: true,
      activation: 'elu',
      grads: false,
    },
  ),
  convCase(
    'fused conv 3x3 s2 same + bias + relu, Cin 8, Cout 16',
    [1, 9, 9, 8],
    [3, 3, 8, 16],
    2,
    'same',
    { bias: true, activation: 'relu' },
  ),
  convCase(
    'fused conv 3x3 s1 same + bias + relu, Cin 3, Cout 5',
    [1, 7, 6, 3],
    [3, 3, 3, 5],
    1,
    'same',
    { bias: true, activation: 'relu' },
  ),
  convCase('fused conv 1x1 + bias + elu (forward)', [1, 5, 5, 4], [1, 1, 4, 8], 1, 'valid', {
    bias: true,
    activation: 'elu',
    grads: false,
  }),
  convCase('fused conv 3x3 + leakyrelu (forward)', [1, 6, 5, 4], [3, 3, 4, 8], 1, 'same', {
    activation: 'leakyrelu',
    grads: false,
  }),
  maxPoolCase('maxPool 3x3 s2 pad 1, C 8, 9x10, b2 (ResNet stem pool)', [2, 9, 10, 8], 3, 2, 1),
  maxPoolCase('maxPool 2x2 s2 valid, C 4, 7x5, b1 (odd edge)', [1, 7, 5, 4], 2, 2, 'valid'),
  maxPoolCase('maxPool 3x3 s1 same, C 12, 5x6, b1 (overlapping)', [1, 5, 6, 12], 3, 1, 'same'),
  maxPoolCase('maxPool 3x3 s3 valid, C 16, 3x4, b3 (one window)', [3, 3, 4, 16], 3, 3, 'valid'),
  maxPoolCase('maxPool 3x3 s2 same, C 6 (stock fallback)', [1, 7, 7, 6], 3, 2, 'same'),
  binaryCase('add, same shape 3x5x8', [3, 5, 8], [3, 5, 8], 'add'),
  binaryCase('sub, scalar right 6x4', [6, 4], [], 'sub'),
  binaryCase('mul, scalar left 2x3x4', [], [2, 3, 4], 'mul'),
  binaryCase('mul, broadcast row (stock fallback) 5x8 · 8', [5, 8], [8], 'mul'),
  binaryCase('add, odd size (stock fallback) 3x5', [3, 5], [3, 5], 'add'),
  matMulCase('matmul 13x17 · 17x9', [13, 17], [17, 9], false, false),
  matMulCase('matmul ᵀA 17x13 · 17x9', [17, 13], [17, 9], true, false),
  matMulCase('matmul ᵀB 13x17 · 9x17', [13, 17], [9, 17], false, true),
  matMulCase('matmul ᵀAᵀB 17x13 · 9x17', [17, 13], [9, 17], true, true),
  matMulCase('batch matmul 3x5x8 · 3x8x12', [3, 5, 8], [3, 8, 12], false, false),
  // 4x8 tiles (the gradients run both the wide path, Aᵀ·dy, and the 4-column fallback, dy·Bᵀ).
  matMulCase(
    '4x8: matmul 13x17 · 17x12',
    [13, 17],
    [17, 12],
    false,
    false,
    undefined,
    true,
    'reg4x8-wg8x8',
  ),
  matMulCase(
    '4x8: matmul ᵀA 16x9 · 16x20',
    [16, 9],
    [16, 20],
    true,
    false,
    undefined,
    true,
    'reg4x8-wg16x4',
  ),
  matMulCase(
    '4x8: fused matmul 6x8 · 8x24 + bias + relu',
    [6, 8],
    [8, 24],
    false,
    false,
    { bias: [24], activation: 'relu' },
    true,
    'reg4x8-wg4x16',
  ),
  // NOTE: forward only: tfjs 4.22's BatchMatMul gradient does not reduce broadcast batch dims.
  matMulCase(
    'broadcast matmul 3x6x8 · 1x8x12 (forward)',
    [3, 6, 8],
    [1, 8, 12],
    false,
    false,
    undefined,
    false,
  ),
  matMulCase('matmul 64x96 · 96x128', [64, 96], [96, 128], false, false),
  matMulCase('fused matmul 13x17 · 17x9 + bias + relu', [13, 17], [17, 9], false, false, {
    bias: [9],
    activation: 'relu',
  }),
  matMulCase('fused matmul ᵀB 8x16 · 12x16 + bias', [8, 16], [12, 16], false, true, {
    bias: [12],
    activation: 'linear',
  }),
  matMulCase('fused matmul ᵀA 7x5 · 7x6 + bias + relu', [7, 5], [7, 6], true, false, {
    bias: [6],
    activation: 'relu',
  }),
  matMulCase('fused matmul ᵀAᵀB 9x3 · 5x9 + bias + relu', [9, 3], [5, 9], true, true, {
    bias: [5],
    activation: 'relu',
  }),
  ...RESNET50_CASES,
];
