// Metrics over a whole validation set (fastai AccumMetric semantics: computed once on all
// predictions, so batch sizes do not matter). Pure JS on flat arrays: testable without a GPU.
// Source: fastai/metrics.py (accuracy, error_rate, accuracy_multi, Precision/Recall/F1Score via sklearn).

/** All validation outputs: `preds` row-major [n, c] (logits), `targs` class ids or multi-hot [n, c]. */
export interface Outputs {
  preds: Float32Array;
  targs: Float32Array | Int32Array;
  n: number;
  c: number;
}

export interface Metric {
  name: string;
  /** Higher is better (SaveModelCallback's comparison, as fastai decides by name). */
  higherIsBetter: boolean;
  value(o: Outputs): number;
}

function argmaxRows({ preds, n, c }: Outputs): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (preds[i * c + j] > preds[i * c + best]) best = j;
    out[i] = best;
  }
  return out;
}

export const accuracy: Metric = {
  name: 'accuracy',
  higherIsBetter: true,
  value: (o) => {
    const p = argmaxRows(o);
    let hit = 0;
    for (let i = 0; i < o.n; i++) if (p[i] === o.targs[i]) hit++;
    return hit / o.n;
  },
};

export const errorRate: Metric = {
  name: 'error_rate',
  higherIsBetter: false,
  value: (o) => 1 - accuracy.value(o),
};

/** accuracy_multi(thresh=0.5, sigmoid=True): fraction of (item, class) cells predicted right. */
export const accuracyMulti = (thresh = 0.5, sigmoid = true): Metric => ({
  name: 'accuracy_multi',
  higherIsBetter: true,
  value: ({ preds, targs }) => {
    let hit = 0;
    for (let i = 0; i < preds.length; i++) {
      const p = sigmoid ? 1 / (1 + Math.exp(-preds[i])) : preds[i];
      if (p > thresh === targs[i] > 0) hit++;
    }
    return hit / preds.length;
  },
});

/** sklearn's macro precision/recall/F1 over labels seen in targets or predictions (zero_division=0). */
function perClass(o: Outputs) {
  const p = argmaxRows(o);
  const labels = [...new Set([...Array.from(o.targs.subarray(0, o.n)), ...p])].sort(
    (a, b) => a - b,
  );
  return labels.map((l) => {
    let tp = 0, fp = 0, fn = 0; // prettier-ignore
    for (let i = 0; i < o.n; i++) {
      if (p[i] === l && o.targs[i] === l) tp++;
      else if (p[i] === l) fp++;
      else if (o.targs[i] === l) fn++;
    }
    const prec = tp + fp ? tp / (tp + fp) : 0;
    const rec = tp + fn ? tp / (tp + fn) : 0;
    return { prec, rec, f1: prec + rec ? (2 * prec * rec) / (prec + rec) : 0 };
  });
}
const macro = (name: string, pick: (r: ReturnType<typeof perClass>[number]) => number): Metric => ({
  name,
  higherIsBetter: true,
  value: (o) => {
    const rows = perClass(o);
    return rows.reduce((s, r) => s + pick(r), 0) / rows.length;
  },
});
export const Precision = () => macro('precision_score', (r) => r.prec);
export const Recall = () => macro('recall_score', (r) => r.rec);
export const F1Score = () => macro('f1_score', (r) => r.f1);
