// Numbers the way fastai prints them: losses with 6 decimals, times as mm:ss.
export const fmtLoss = (v: number) => (Number.isFinite(v) ? v.toFixed(6) : String(v));
export function fmtTime(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}
export const fmtLr = (v: number) => v.toExponential(2);
