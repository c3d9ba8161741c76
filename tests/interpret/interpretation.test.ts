import { describe, expect, it } from 'vitest';
import {
  cellItems,
  classificationReport,
  confusionMatrix,
  mostConfused,
  multiLabelReport,
  topLosses,
} from '../../src/shared/interpretation';

const classes = ['cat', 'dog', 'fox'];
const actual = [0, 0, 0, 1, 1, 2, 2, 2, 2, 1];
const predicted = [0, 1, 1, 1, 0, 2, 2, 1, 2, 1];

describe('ClassificationInterpretation math', () => {
  it('builds the confusion matrix as [actual][predicted]', () => {
    expect(confusionMatrix(actual, predicted, 3)).toEqual([
      [1, 2, 0],
      [1, 2, 0],
      [0, 1, 3],
    ]);
  });

  it('lists most_confused pairs, largest first, above min_val', () => {
    const m = confusionMatrix(actual, predicted, 3);
    expect(mostConfused(m, classes)).toEqual([
      { actual: 'cat', predicted: 'dog', count: 2 },
      { actual: 'dog', predicted: 'cat', count: 1 },
      { actual: 'fox', predicted: 'dog', count: 1 },
    ]);
    expect(mostConfused(m, classes, 2)).toHaveLength(1);
  });

  it('returns exactly the items of a clicked cell', () => {
    expect(cellItems(actual, predicted, 0, 1)).toEqual([1, 2]);
    expect(cellItems(actual, predicted, 2, 2)).toEqual([5, 6, 8]);
  });

  it('sorts top losses descending', () => {
    expect(topLosses([0.1, 2.5, 0.7, 2.5, 1.0], 3)).toEqual([
      { index: 1, loss: 2.5 },
      { index: 3, loss: 2.5 },
      { index: 4, loss: 1.0 },
    ]);
  });

  it('matches sklearn classification_report on the same predictions', () => {
    // sklearn: classification_report([0,0,0,1,1,2,2,2,2,1],[0,1,1,1,0,2,2,1,2,1], output_dict=True)
    const r = classificationReport(confusionMatrix(actual, predicted, 3), classes);
    expect(r.accuracy).toBeCloseTo(0.6, 10);
    expect(r.classes[0]).toMatchObject({ precision: 0.5, support: 3 });
    expect(r.classes[0].recall).toBeCloseTo(1 / 3, 10);
    expect(r.classes[0].f1).toBeCloseTo(0.4, 10);
    expect(r.classes[1].precision).toBeCloseTo(0.4, 10);
    expect(r.classes[1].recall).toBeCloseTo(2 / 3, 10);
    expect(r.classes[1].f1).toBeCloseTo(0.5, 10);
    expect(r.classes[2]).toMatchObject({ precision: 1, recall: 0.75, support: 4 });
    expect(r.classes[2].f1).toBeCloseTo(6 / 7, 10);
    expect(r.macro.f1).toBeCloseTo((0.4 + 0.5 + 6 / 7) / 3, 10);
    expect(r.weighted.f1).toBeCloseTo((0.4 * 3 + 0.5 * 3 + (6 / 7) * 4) / 10, 10);
  });

  it('thresholds multi-label probabilities per class', () => {
    const probs = [0.9, 0.2, 0.6, 0.4, 0.1, 0.8];
    const targets = [1, 0, 1, 1, 0, 0];
    const r = multiLabelReport(probs, targets, ['a', 'b', 'c'], 0.5);
    expect(r.classes.map((c) => [c.precision, c.recall])).toEqual([
      [1, 0.5],
      [0, 0],
      [0.5, 1],
    ]);
    expect(r.accuracy).toBeCloseTo(4 / 6, 10);
    expect(multiLabelReport(probs, targets, ['a', 'b', 'c'], 0.35).classes[0].recall).toBe(1);
  });
});
