// Architectures by name, for the worker commands and the CLI's --arch.
import type { Model } from './model';
import { kerasResnet50, KERAS_BN_EPS } from './kerasResnet50';
import { torchvisionResnet, TORCH_SPECS } from './resnet';

export const ARCHS = [...Object.keys(TORCH_SPECS), 'keras-resnet50'];

export function buildModel(
  arch: string,
  nClasses = 1000,
  seed = 0,
  kerasEps = KERAS_BN_EPS,
): Model {
  if (arch === 'keras-resnet50' || arch === 'resnet50-imagenet')
    return kerasResnet50(nClasses, seed, kerasEps);
  if (TORCH_SPECS[arch]) return torchvisionResnet(arch, nClasses, seed);
  throw new Error(`unknown architecture '${arch}' (known: ${ARCHS.join(', ')}, resnet50-imagenet)`);
}
