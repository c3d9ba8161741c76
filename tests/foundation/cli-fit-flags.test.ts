// The fit's CLI flags (src/page/cli/fitFlags.ts, trainPlan.ts): values as fastai spells them,
// and a clear refusal naming the flag for anything else, before a run starts.
import { describe, expect, it } from 'vitest';
import { fitFlags, suggestFlag } from '../../src/page/cli/fitFlags';
import { trainPlan } from '../../src/page/cli/trainPlan';
import { parseMoms } from '../../src/shared/schedule';

describe('fit flags', () => {
  it('reads optimizer, momentums, mixup alpha, sgdr cycles and keep-best', () => {
    const f = fitFlags({
      opt: 'sgd',
      mom: '0.9',
      wd: '0.1',
      moms: '0.95,0.85,0.95',
      mixup: '0.2',
      'cycle-len': '2',
      'cycle-mult': '1',
      'save-best': true,
    });
    expect(f).toMatchObject({
      opt: 'sgd',
      mom: 0.9,
      wd: 0.1,
      mixup: 0.2,
      cycleLen: 2,
      cycleMult: 1,
    });
    expect(f.moms).toEqual([0.95, 0.85, 0.95]);
    expect(f.saveBest).toBe(true);
    expect(fitFlags({ mixup: true }).mixup).toBe(true);
    expect(fitFlags({})).toEqual(Object.fromEntries(Object.keys(f).map((k) => [k, undefined])));
  });
  it('refuses bad values by flag name', () => {
    expect(() => fitFlags({ opt: 'rmsprop' })).toThrow('--opt rmsprop: give adam or sgd');
    expect(() => fitFlags({ mom: '1.5' })).toThrow('--mom 1.5');
    expect(() => fitFlags({ moms: '0.9,0.8' })).toThrow('--moms 0.9,0.8: give three');
    expect(() => fitFlags({ 'cycle-len': '0.5' })).toThrow('--cycle-len 0.5: give a whole number');
    expect(() => fitFlags({ mixup: 'lots' })).toThrow('--mixup lots');
    expect(() => fitFlags({ snapshots: '1,x' })).toThrow('--snapshots 1,x: give no value');
  });
  it('--snapshots: SGDR cycle ends, or chosen epochs', () => {
    expect(fitFlags({ snapshots: true }).snapshots).toBe(true);
    expect(fitFlags({ snapshots: '0,2,6' }).snapshots).toEqual([0, 2, 6]);
    expect(fitFlags({ snapshots: 'false' }).snapshots).toBeUndefined();
  });
  it('--suggest: fastai suggestion names in order, the first one fills the LR', () => {
    expect(suggestFlag('steep, valley')).toEqual(['steep', 'valley']);
    expect(suggestFlag(undefined)).toBeUndefined();
    expect(() => suggestFlag('valley,best')).toThrow('--suggest valley,best: best unknown');
  });
  it('parses the moms field of the Train panel', () => {
    expect(parseMoms('0.95, 0.85,0.95')).toEqual([0.95, 0.85, 0.95]);
    expect(parseMoms('0.95,0.85')).toBeUndefined();
    expect(parseMoms('0.95,,0.95')).toBeUndefined();
  });
});

describe('train plan', () => {
  it('one policy flag, its epochs; the recipe or one_cycle without', () => {
    expect(trainPlan({ sgdr: '3' })).toEqual({ policy: 'sgdr', epochs: 3, sizes: [64] });
    expect(trainPlan({ fit: '2', size: '32' })).toEqual({ policy: 'fit', epochs: 2, sizes: [32] });
    expect(trainPlan({}, { policy: 'fine_tune', epochs: 1, size: 128 })).toMatchObject({
      policy: 'fine_tune',
      sizes: [128],
    });
    expect(trainPlan({}, { policy: 'one_cycle', epochs: 2, size: 128 })).toEqual({
      policy: 'one_cycle',
      epochs: 2,
      sizes: [128],
    });
    expect(trainPlan({})).toMatchObject({ policy: 'one_cycle', epochs: 1 });
    expect(() => trainPlan({ fit: '1', sgdr: '2' })).toThrow(
      '--sgdr and --fit: give one fit policy',
    );
  });
  it('--sizes: progressive resizing, each size in turn', () => {
    expect(trainPlan({ 'one-cycle': '1', sizes: '32, 64' }).sizes).toEqual([32, 64]);
    expect(() => trainPlan({ sizes: '32,x' })).toThrow('--sizes x');
    expect(() => trainPlan({ sizes: '32', size: '64' })).toThrow('--size and --sizes');
  });
});
