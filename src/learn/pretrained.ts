// The Learner's model, as fastai's `vision_learner(dls, arch, pretrained=...)` builds it: a ResNet
// body (random init, the bundled ImageNet Keras ResNet50, or the Model panel's current model) cut
// before its classifier, plus fastai's head. Pretrained bodies start frozen (all but the head, BN
// params stay trainable), random ones do not: fastai calls `learn.freeze()` only `if pretrained`.
import { cutBody, visionModel } from '../models/head';
import type { Model } from '../models/model';
import { bundledResnet50 } from '../models/session';
import { buildModel } from '../models/zoo';

export interface BodyChoice {
  arch: string;
  /** ImageNet weights: the bundled Keras ResNet50 for `resnet50-imagenet` / `keras-resnet50`. */
  pretrained: boolean;
  /** 'current': the body of the model loaded in the Model panel (its weights are copied). */
  body?: 'current' | 'arch';
  seed: number;
}

export const BUNDLED_ARCHS = new Set(['resnet50-imagenet', 'keras-resnet50']);

/** What `visionModel` should do with a choice, without touching tensors (unit-testable). */
export function bodyPlan(
  c: BodyChoice,
  current?: { arch: string; hasBody: boolean },
): { source: 'current' | 'bundled' | 'random'; arch: string; frozen: boolean } {
  if (c.body === 'current') {
    if (!current) throw new Error("body 'current': no model loaded (Model commands) to start from");
    if (!current.hasBody)
      throw new Error(`body 'current': '${current.arch}' has no body to cut (not a ResNet)`);
    return { source: 'current', arch: current.arch, frozen: true };
  }
  if (c.pretrained) {
    if (!BUNDLED_ARCHS.has(c.arch))
      throw new Error(
        `no bundled pretrained weights for '${c.arch}': use arch resnet50-imagenet, or load ` +
          `weights in the Model panel and set body 'current'`,
      );
    return { source: 'bundled', arch: c.arch, frozen: true };
  }
  return { source: 'random', arch: c.arch, frozen: false };
}

/** A copy of the current model (the Model panel's) with its weights: the panel keeps its own. */
function copyOfCurrent(cur: Model, seed: number): Model {
  const copy = buildModel(cur.arch, 1, seed);
  for (const [k, v] of [...copy.params, ...copy.buffers]) {
    const src = cur.params.get(k) ?? cur.buffers.get(k);
    if (src && copy.body && (copy.body.params.has(k) || copy.body.buffers.has(k))) v.assign(src);
  }
  return copy;
}

/** fastai vision_learner's model for a body choice and `nClasses` outputs. */
export async function learnerModel(
  c: BodyChoice,
  nClasses: number,
  cur: Model | undefined,
): Promise<Model> {
  const plan = bodyPlan(c, cur && { arch: cur.arch, hasBody: !!cur.body });
  const full =
    plan.source === 'current'
      ? copyOfCurrent(cur!, c.seed)
      : plan.source === 'bundled'
        ? await bundledResnet50()
        : buildModel(c.arch, 1000, c.seed);
  const model = visionModel(cutBody(full), nClasses, { seed: c.seed });
  if (!plan.frozen) model.frozenGroups = 0;
  return model;
}
