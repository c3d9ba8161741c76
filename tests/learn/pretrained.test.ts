// The Learner's body choice (vision_learner pretrained / random / the Model panel's model) and
// fine_tune with a precomputed frozen phase, on the CPU backend with a tiny ResNet.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Recorder } from '../../src/learn/callbacks';
import { demoBatches } from '../../src/learn/demoData';
import { fineTune, learner } from '../../src/learn/fit';
import { Callback } from '../../src/learn/learner';
import { accuracy } from '../../src/learn/metrics';
import { bodyPlan, learnerModel } from '../../src/learn/pretrained';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('bodyPlan (vision_learner: freeze only if pretrained)', () => {
  it('bundled ImageNet ResNet50 for resnet50-imagenet, frozen', () => {
    expect(bodyPlan({ arch: 'resnet50-imagenet', pretrained: true, seed: 0 })).toEqual({
      source: 'bundled',
      arch: 'resnet50-imagenet',
      frozen: true,
    });
  });
  it('random init is not frozen', () => {
    expect(bodyPlan({ arch: 'resnet18', pretrained: false, seed: 0 }).frozen).toBe(false);
  });
  it('pretrained torchvision archs point at the Model panel', () => {
    expect(() => bodyPlan({ arch: 'resnet18', pretrained: true, seed: 0 })).toThrow(
      /body 'current'/,
    );
  });
  it("body 'current' needs a loaded ResNet", () => {
    expect(() => bodyPlan({ arch: 'x', pretrained: false, body: 'current', seed: 0 })).toThrow(
      /no model loaded/,
    );
    expect(() =>
      bodyPlan(
        { arch: 'x', pretrained: false, body: 'current', seed: 0 },
        { arch: 'tiny-cnn', hasBody: false },
      ),
    ).toThrow(/no body/);
    expect(
      bodyPlan(
        { arch: 'x', pretrained: false, body: 'current', seed: 0 },
        { arch: 'resnet18', hasBody: true },
      ),
    ).toEqual({ source: 'current', arch: 'resnet18', frozen: true });
  });
});

describe('fine_tune with a precomputed frozen phase', () => {
  const DATA = { size: 16, bs: 8, nTrain: 4, nValid: 2, seed: 3 };

  it('random-init vision model starts unfrozen, with a head', async () => {
    const m = await learnerModel({ arch: 'resnet-tiny', pretrained: false, seed: 1 }, 3, undefined);
    expect(m.frozenGroups).toBe(0);
    expect(m.groups).toHaveLength(3);
    expect(m.head).toBeDefined();
    m.dispose();
  });

  it('frozen phase on cached features leaves the body alone; the optimizer starts fresh unfrozen', async () => {
    const m = await learnerModel({ arch: 'resnet-tiny', pretrained: false, seed: 1 }, 3, undefined);
    const learn = learner(m, demoBatches(DATA), { metrics: [accuracy] });
    const snap = (k: string) => Array.from(m.params.get(k)!.dataSync());
    const conv0 = snap('conv1.weight');
    const head0 = snap('head.8.weight');
    const seen: { frozen: number; bodySame: boolean; headMoved: boolean; optTensors: number }[] =
      [];
    class Spy extends Callback {
      order = 90;
      before_fit() {
        const st = [...(this.learn.opt?.state.values() ?? [])];
        seen.push({
          frozen: this.learn.model.frozenGroups,
          bodySame: snap('conv1.weight').every((v, i) => v === conv0[i]),
          headMoved: snap('head.8.weight').some((v, i) => v !== head0[i]),
          optTensors: st.flatMap((s) => Object.values(s).filter((v) => v instanceof tf.Tensor))
            .length,
        });
      }
    }
    const before = tf.memory().numTensors;
    await fineTune(learn, 1, { baseLr: 1e-2, cbs: [new Spy()], precompute: { bs: 8, seed: 1 } });
    // First fit: the head-only learner (one group, nothing frozen); second: the full model.
    expect(seen[0].frozen).toBe(0);
    expect(seen[1]).toMatchObject({ frozen: 0, bodySame: true, headMoved: true, optTensors: 0 });
    expect(snap('conv1.weight')).not.toEqual(conv0);
    expect(learn.cb(Recorder)!.values).toHaveLength(1);
    learn.opt!.dispose();
    // Caches and the head learner's optimizer are gone; only the full learner's state remained.
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
    m.dispose();
  });

  it('without precompute, unfreeze clears the frozen phase optimizer state (fastai freeze_to)', async () => {
    const m = await learnerModel({ arch: 'resnet-tiny', pretrained: false, seed: 2 }, 3, undefined);
    const learn = learner(m, demoBatches(DATA));
    const counts: number[] = [];
    const tensors = () =>
      [...(learn.opt?.state.values() ?? [])].flatMap((s) =>
        Object.values(s).filter((v) => v instanceof tf.Tensor),
      ).length;
    class Spy extends Callback {
      order = 90;
      before_fit() {
        counts.push(tensors());
      }
      after_fit() {
        counts.push(tensors());
      }
    }
    await fineTune(learn, 1, { cbs: [new Spy()] });
    expect(counts[1]).toBeGreaterThan(0); // moments after the frozen phase
    expect(counts[2]).toBe(0); // cleared by unfreeze
    learn.opt!.dispose();
    m.dispose();
  });
});
