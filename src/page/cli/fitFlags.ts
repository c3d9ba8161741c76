// The fit's CLI flags, shared by `fit` and `train`: optimizer, weight decay, momentums, mixup,
// keep-best, fit_sgdr's cycles and snapshot ensemble; and lr_find's `--suggest`. A bad value is refused by name
// before anything runs.
import type { CliArgs } from './bridge';
import { parseMoms, SUGGESTIONS, type SuggestionName } from '../../shared/schedule';
import type { FitArgs, OptName } from '../../shared/protocol';

export const num = (v: unknown) => (v === undefined ? undefined : Number(v));
/** `--flag` (true), `--flag=false`, or absent (undefined: the default). */
export const flag = (v: unknown) => (v === undefined ? undefined : v !== false && v !== 'false');

function positive(name: string, v: unknown, { int = false, max = Infinity } = {}) {
  const x = num(v);
  if (x === undefined) return undefined;
  if (!(x >= 0 && x < max) || (int && !(Number.isInteger(x) && x >= 1)))
    throw new Error(
      `--${name} ${String(v)}: give ${int ? 'a whole number >= 1' : `a number in [0, ${max})`}`,
    );
  return x;
}

/** `--suggest valley,steep`: fastai's suggestion functions; the first one fills the LR. */
export function suggestFlag(v: unknown): SuggestionName[] | undefined {
  if (v === undefined) return undefined;
  const names = String(v)
    .split(',')
    .map((s) => s.trim());
  const known = Object.keys(SUGGESTIONS);
  const bad = names.filter((n) => !known.includes(n));
  if (bad.length || !names.length)
    throw new Error(
      `--suggest ${String(v)}: ${bad.join(', ')} unknown (give some of ${known.join(', ')})`,
    );
  return names as SuggestionName[];
}

export function optFlag(v: unknown): OptName | undefined {
  if (v === undefined) return undefined;
  if (v !== 'adam' && v !== 'sgd') throw new Error(`--opt ${String(v)}: give adam or sgd`);
  return v;
}

/** `--mom 0.9`: SGD's momentum (0: plain SGD), Adam's beta1. */
export const momFlag = (v: unknown) => positive('mom', v, { max: 1 });

/** `--moms 0.95,0.85,0.95`: fit_one_cycle's momentum start, middle, end. */
function momsFlag(v: unknown): FitArgs['moms'] {
  if (v === undefined) return undefined;
  const m = parseMoms(String(v));
  if (!m) throw new Error(`--moms ${String(v)}: give three momentums in [0, 1), as 0.95,0.85,0.95`);
  return m;
}

/** `--mixup` (MixUp(0.4)) or `--mixup 0.2` (its alpha). */
function mixupFlag(v: unknown): FitArgs['mixup'] {
  if (v === undefined || v === false || v === 'false') return undefined;
  if (v === true || v === 'true') return true;
  return positive('mixup', v) || undefined;
}

/** `--snapshots` (each SGDR cycle's end) or `--snapshots 0,2,4` (those epochs, 0-based). */
function snapshotsFlag(v: unknown): FitArgs['snapshots'] {
  if (v === undefined || v === false || v === 'false') return undefined;
  if (v === true || v === 'true') return true;
  const epochs = String(v).split(',').map(Number);
  if (epochs.some((e) => !(Number.isInteger(e) && e >= 0)))
    throw new Error(`--snapshots ${String(v)}: give no value (SGDR cycle ends) or epochs as 0,2,4`);
  return epochs;
}

/** Everything of FitArgs but policy, epochs and lr. */
export function fitFlags(a: CliArgs): Omit<FitArgs, 'epochs'> {
  return {
    wd: positive('wd', a.wd),
    opt: optFlag(a.opt),
    mom: momFlag(a.mom),
    moms: momsFlag(a.moms),
    cycleLen: positive('cycle-len', a['cycle-len'], { int: true }),
    cycleMult: positive('cycle-mult', a['cycle-mult'], { int: true }),
    mixup: mixupFlag(a.mixup),
    saveBest: flag(a['save-best']),
    precompute: flag(a.precompute),
    snapshots: snapshotsFlag(a.snapshots),
  };
}
