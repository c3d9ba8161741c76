// How the Interpret panel prints rates and scores.
export const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
export const f3 = (v: number) => v.toFixed(3);
