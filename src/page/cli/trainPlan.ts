// What `train` fits, from its flags: one policy (`--fine-tune E | --one-cycle E | --sgdr N |
// --fit E`, else the lesson-1 recipe's policy, or one_cycle), and the image sizes in turn
// (`--sizes 64,128`: progressive resizing, same weights and optimizer at each size).
import type { CliArgs } from './bridge';
import type { FitPolicy } from '../../shared/protocol';
import type { Recipe } from '../../shared/recipe';

const POLICY_FLAGS: Record<string, FitPolicy> = {
  'fine-tune': 'fine_tune',
  'one-cycle': 'one_cycle',
  sgdr: 'sgdr',
  fit: 'fit',
};

const whole = (name: string, v: unknown, min = 1) => {
  const x = Number(v);
  if (!(Number.isInteger(x) && x >= min))
    throw new Error(`--${name} ${String(v)}: give a whole number >= ${min}`);
  return x;
};

export function trainPlan(a: CliArgs, recipe?: Pick<Recipe, 'policy' | 'epochs' | 'size'>) {
  const given = Object.keys(POLICY_FLAGS).filter((k) => a[k] !== undefined);
  if (given.length > 1)
    throw new Error(`--${given.join(' and --')}: give one fit policy (fastai: one fit_* call)`);
  const policy = given.length ? POLICY_FLAGS[given[0]] : (recipe?.policy ?? 'one_cycle');
  const epochs = given.length ? whole(given[0], a[given[0]]) : (recipe?.epochs ?? 1);
  if (a.sizes !== undefined && a.size !== undefined)
    throw new Error('--size and --sizes: give one (--sizes 64,128 starts at 64)');
  const sizes =
    a.sizes !== undefined
      ? String(a.sizes)
          .split(',')
          .map((v) => whole('sizes', v.trim(), 8))
      : [a.size !== undefined ? whole('size', a.size, 8) : (recipe?.size ?? 64)];
  return { policy, epochs, sizes };
}
