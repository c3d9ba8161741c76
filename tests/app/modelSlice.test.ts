import { describe, expect, it } from 'vitest';
import { setupArgsOf } from '../../src/page/store/modelSlice';
import { TRAIN_DEFAULTS } from '../../src/page/store/trainSlice';

describe('setupArgsOf: the Model panel choice becomes the learner setup', () => {
  it('random init keeps the arch', () => {
    expect(setupArgsOf({ arch: 'resnet18', source: 'random' }, TRAIN_DEFAULTS)).toMatchObject({
      arch: 'resnet18',
      bs: TRAIN_DEFAULTS.bs,
    });
    expect(setupArgsOf({ arch: 'resnet18', source: 'random' }, TRAIN_DEFAULTS).pretrained).toBe(
      undefined,
    );
  });
  it('ImageNet is the bundled pretrained ResNet50', () => {
    expect(setupArgsOf({ arch: 'resnet50', source: 'imagenet' }, TRAIN_DEFAULTS)).toMatchObject({
      arch: 'resnet50-imagenet',
      pretrained: true,
    });
  });
  it("imported weights train the current model's body", () => {
    expect(setupArgsOf({ arch: 'resnet34', source: 'weights' }, TRAIN_DEFAULTS)).toMatchObject({
      arch: 'resnet34',
      body: 'current',
    });
  });
});
