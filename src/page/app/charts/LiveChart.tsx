// The charts the panels use: recharts (RechartsLineChart) or the single-path SVG chart
// (LiveLineChart), same props. `?charts=svg` / `?charts=recharts` in the URL overrides the
// default, so the e2e suite can measure both on the same run.
import { LiveLineChart } from './LiveLineChart';
import { RechartsLineChart } from './RechartsLineChart';

export interface Series {
  name: string;
  color: string;
  points: { x: number; y: number }[];
  dashed?: boolean;
}

export interface ChartProps {
  series: Series[];
  width?: number;
  height?: number;
  xDomain?: [number, number];
  logX?: boolean;
  label?: string;
  /** y tick labels (and x ticks unless xFormat). */
  format?: (v: number) => string;
  xFormat?: (v: number) => string;
  /** Vertical markers (suggested LRs, the picked LR) at data x positions. */
  markers?: { x: number; label: string; color: string }[];
  /** Clicking the plot reports the data x under the pointer (the LR finder's "pick an LR");
   * `shift` when Shift was held (the LR finder: the low end of a slice). */
  onPick?: (x: number, shift: boolean) => void;
  testId?: string;
}

export type ChartKind = 'recharts' | 'svg';

const fromUrl =
  typeof location === 'undefined' ? null : new URLSearchParams(location.search).get('charts');

// SVG by default for the charts that update while training: a recharts update measured 4-6x the
// main-thread time of the SVG chart with 10 000 points (e2e/charts-bench.spec.ts, README).
export const CHART_KIND: ChartKind = fromUrl === 'svg' || fromUrl === 'recharts' ? fromUrl : 'svg';

/** The charts that re-render while training. */
export const LiveChart = CHART_KIND === 'svg' ? LiveLineChart : RechartsLineChart;
/** Charts drawn once per result (the LR finder): recharts. */
export { RechartsLineChart as StaticChart };
