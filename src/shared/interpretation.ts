// fastai's ClassificationInterpretation, as pure functions over predictions the worker already
// has on the CPU (probabilities, targets, per-item losses): confusion matrix, most_confused,
// top_losses, and sklearn-style per-class precision/recall/F1.
// Source: fastai/interpret.py (ClassificationInterpretation), sklearn classification_report.

/** matrix[actual][predicted] = count (fastai's confusion_matrix orientation). */
export function confusionMatrix(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  nClasses: number,
): number[][] {
  const m = Array.from({ length: nClasses }, () => new Array<number>(nClasses).fill(0));
  for (let i = 0; i < actual.length; i++) m[actual[i]][predicted[i]]++;
  return m;
}

export interface Confusion {
  actual: string;
  predicted: string;
  count: number;
}

/** fastai `most_confused(min_val=1)`: off-diagonal cells, largest first (ties keep class order). */
export function mostConfused(matrix: number[][], classes: string[], minVal = 1): Confusion[] {
  const out: Confusion[] = [];
  matrix.forEach((row, a) =>
    row.forEach((count, p) => {
      if (a !== p && count >= minVal)
        out.push({ actual: classes[a], predicted: classes[p], count });
    }),
  );
  return out.sort((x, y) => y.count - x.count);
}

/** Indices of the k largest losses, largest first (fastai `top_losses(k)`). */
export function topLosses(losses: ArrayLike<number>, k: number): { index: number; loss: number }[] {
  return Array.from(losses, (loss, index) => ({ index, loss }))
    .sort((a, b) => b.loss - a.loss || a.index - b.index)
    .slice(0, k);
}

/** Items whose (actual, predicted) is the given cell: what a click on the matrix shows. */
export function cellItems(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  a: number,
  p: number,
): number[] {
  const out: number[] = [];
  for (let i = 0; i < actual.length; i++) if (actual[i] === a && predicted[i] === p) out.push(i);
  return out;
}

export interface ClassReport {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Report {
  classes: ClassReport[];
  accuracy: number;
  macro: Omit<ClassReport, 'label'>;
  weighted: Omit<ClassReport, 'label'>;
}

const safeDiv = (a: number, b: number) => (b === 0 ? 0 : a / b);

function summarise(rows: ClassReport[], weights: number[]): Omit<ClassReport, 'label'> {
  const total = weights.reduce((s, w) => s + w, 0);
  const avg = (f: (r: ClassReport) => number) =>
    safeDiv(
      rows.reduce((s, r, i) => s + f(r) * weights[i], 0),
      total,
    );
  return {
    precision: avg((r) => r.precision),
    recall: avg((r) => r.recall),
    f1: avg((r) => r.f1),
    support: rows.reduce((s, r) => s + r.support, 0),
  };
}

/** Per-class counts to sklearn-style rows (zero_division=0). */
function rowsFromCounts(
  classes: string[],
  tp: number[],
  fp: number[],
  fn: number[],
): ClassReport[] {
  return classes.map((label, c) => {
    const precision = safeDiv(tp[c], tp[c] + fp[c]);
    const recall = safeDiv(tp[c], tp[c] + fn[c]);
    return {
      label,
      precision,
      recall,
      f1: safeDiv(2 * precision * recall, precision + recall),
      support: tp[c] + fn[c],
    };
  });
}

/** sklearn `classification_report` for single-label predictions, from the confusion matrix. */
export function classificationReport(matrix: number[][], classes: string[]): Report {
  const n = classes.length;
  const tp = classes.map((_, c) => matrix[c][c]);
  const colSum = classes.map((_, c) => matrix.reduce((s, row) => s + row[c], 0));
  const rowSum = matrix.map((row) => row.reduce((s, v) => s + v, 0));
  const rows = rowsFromCounts(
    classes,
    tp,
    colSum.map((s, c) => s - tp[c]),
    rowSum.map((s, c) => s - tp[c]),
  );
  const total = rowSum.reduce((s, v) => s + v, 0);
  return {
    classes: rows,
    accuracy: safeDiv(
      tp.reduce((s, v) => s + v, 0),
      total,
    ),
    macro: summarise(rows, new Array(n).fill(1)),
    weighted: summarise(
      rows,
      rows.map((r) => r.support),
    ),
  };
}

/** Multi-label: per-class metrics with predictions = prob >= thresh (fastai accuracy_multi's threshold). */
export function multiLabelReport(
  probs: ArrayLike<number>,
  targets: ArrayLike<number>,
  classes: string[],
  thresh = 0.5,
): Report {
  const n = classes.length;
  const items = probs.length / n;
  const tp = new Array<number>(n).fill(0);
  const fp = new Array<number>(n).fill(0);
  const fn = new Array<number>(n).fill(0);
  let correct = 0;
  for (let i = 0; i < items; i++) {
    for (let c = 0; c < n; c++) {
      const pred = probs[i * n + c] >= thresh;
      const truth = targets[i * n + c] > 0.5;
      if (pred && truth) tp[c]++;
      else if (pred) fp[c]++;
      else if (truth) fn[c]++;
      if (pred === truth) correct++;
    }
  }
  const rows = rowsFromCounts(classes, tp, fp, fn);
  return {
    classes: rows,
    accuracy: safeDiv(correct, items * n),
    macro: summarise(rows, new Array(n).fill(1)),
    weighted: summarise(
      rows,
      rows.map((r) => r.support),
    ),
  };
}
