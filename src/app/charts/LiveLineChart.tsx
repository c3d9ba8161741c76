// A light SVG line chart for plots that update while training. NOTE: recharts re-renders cost
// 40-180 ms of main-thread time per update on the 2-core CI machine while SwiftShader trains
// (measured with a Chromium trace), over the 50 ms long-task budget; this draws one <path> per
// series from at most MAX_POINTS decimated points, well under 5 ms.
import { memo } from 'react';

export interface Series {
  name: string;
  color: string;
  points: { x: number; y: number }[];
  dashed?: boolean;
}

const MAX_POINTS = 400;
const PAD = { left: 56, right: 12, top: 10, bottom: 24 };

/** Keep every k-th point (and the last) so long runs stay cheap to draw. */
export function decimate<T>(points: T[], max = MAX_POINTS): T[] {
  if (points.length <= max) return points;
  const k = Math.ceil(points.length / max);
  const out = points.filter((_, i) => i % k === 0);
  if (out.at(-1) !== points.at(-1)) out.push(points.at(-1)!);
  return out;
}

function extent(values: number[], fallback: [number, number]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (!finite.length) return fallback;
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
}

export const LiveLineChart = memo(function LiveLineChart(props: {
  series: Series[];
  width?: number;
  height?: number;
  xDomain?: [number, number];
  logX?: boolean;
  label?: string;
  format?: (v: number) => string;
  /** Vertical markers (suggested LRs, the picked LR) at data x positions. */
  markers?: { x: number; label: string; color: string }[];
  /** Clicking the plot reports the data x under the pointer (the LR finder's "pick an LR"). */
  onPick?: (x: number) => void;
  testId?: string;
}) {
  const {
    series,
    width = 640,
    height = 220,
    logX = false,
    format = (v) => v.toPrecision(3),
  } = props;
  const tx = (x: number) => (logX ? Math.log10(x) : x);
  // Non-finite points (a diverged loss) are left out rather than breaking the path.
  const drawn = series.map((s) => ({
    ...s,
    points: decimate(s.points.filter((p) => Number.isFinite(p.y) && Number.isFinite(tx(p.x)))),
  }));
  const xs = drawn.flatMap((s) => s.points.map((p) => tx(p.x)));
  const ys = drawn.flatMap((s) => s.points.map((p) => p.y));
  const [x0, x1] = props.xDomain
    ? [tx(props.xDomain[0]), tx(props.xDomain[1])]
    : extent(xs, [0, 1]);
  const [y0, y1] = extent(ys, [0, 1]);
  const w = width - PAD.left - PAD.right;
  const h = height - PAD.top - PAD.bottom;
  const px = (x: number) => PAD.left + ((tx(x) - x0) / (x1 - x0 || 1)) * w;
  const py = (y: number) => PAD.top + (1 - (y - y0) / (y1 - y0 || 1)) * h;
  const pick = props.onPick;
  const onClick = pick
    ? (e: React.MouseEvent<SVGSVGElement>) => {
        const box = e.currentTarget.getBoundingClientRect();
        const t = x0 + ((e.clientX - box.left - PAD.left) / w) * (x1 - x0);
        pick(logX ? 10 ** t : t);
      }
    : undefined;
  return (
    <svg
      width={width}
      height={height}
      role="img"
      aria-label={props.label}
      className={pick ? 'live-chart pickable' : 'live-chart'}
      onClick={onClick}
      data-testid={props.testId}
    >
      <line
        x1={PAD.left}
        y1={PAD.top + h}
        x2={PAD.left + w}
        y2={PAD.top + h}
        stroke="currentColor"
        opacity={0.3}
      />
      <line
        x1={PAD.left}
        y1={PAD.top}
        x2={PAD.left}
        y2={PAD.top + h}
        stroke="currentColor"
        opacity={0.3}
      />
      {[y0, (y0 + y1) / 2, y1].map((v) => (
        <text
          key={v}
          x={PAD.left - 6}
          y={py(v) + 4}
          textAnchor="end"
          fontSize={11}
          fill="currentColor"
        >
          {format(v)}
        </text>
      ))}
      {[x0, x1].map((v, i) => (
        <text
          key={i}
          x={PAD.left + i * w}
          y={height - 6}
          textAnchor={i ? 'end' : 'start'}
          fontSize={11}
          fill="currentColor"
        >
          {logX ? `1e${v.toFixed(1)}` : format(v)}
        </text>
      ))}
      {drawn.map((s) => (
        <path
          key={s.name}
          d={s.points
            .map((p, i) => `${i ? 'L' : 'M'}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`)
            .join('')}
          fill="none"
          stroke={s.color}
          strokeWidth={1.5}
          strokeDasharray={s.dashed ? '4 3' : undefined}
          data-series={s.name}
          data-points={s.points.length}
        />
      ))}
      {props.markers?.map((m) => (
        <g key={m.label} data-marker={m.label}>
          <line
            x1={px(m.x)}
            x2={px(m.x)}
            y1={PAD.top}
            y2={PAD.top + h}
            stroke={m.color}
            strokeDasharray="3 3"
          />
          <text x={px(m.x) + 3} y={PAD.top + 10} fontSize={11} fill={m.color}>
            {m.label}
          </text>
        </g>
      ))}
    </svg>
  );
});
