// The model's state in words: the weight source's label and the nav's one-line summary.
import { ARCH_NAMES, type ModelChoice } from '../../store/modelSlice';
import type { Studio } from '../../store/studio';

export const SOURCE_LABEL: Record<ModelChoice['source'], string> = {
  random: 'random init',
  imagenet: 'ImageNet',
  weights: 'imported weights',
};

/** The one-line state shown in the nav: "ResNet50 · ImageNet · frozen · 3 groups". */
export function modelStatusLine(s: Studio): string {
  const c = s.modelChoice;
  const parts = [ARCH_NAMES[c.arch] ?? c.arch, SOURCE_LABEL[c.source]];
  const f = s.freezeState;
  if (f && s.trainSetup)
    parts.push(f.frozenGroups > 0 ? 'frozen' : 'unfrozen', `${f.groups} groups`);
  return parts.join(' · ');
}
