// A light SVG line chart for plots that update while training: one <path> per series from at
// most MAX_POINTS min/max-decimated points. The fallback of RechartsLineChart (see LiveChart.tsx
// and the README's measurements); same props.
import { memo, useMemo } from 'react';
import { decimateMinMax, extent } from './decimate';
import type { ChartProps } from './LiveChart';

const PAD = { left: 56, right: 12, top: 10, bottom: 24 };

export const LiveLineChart = memo(function LiveLineChart(props: ChartProps) {
  const {
    series,
    width = 640,
    height = 220,
    logX = false,
    format = (v: number) => v.toPrecision(3),
    xFormat,
  } = props;
  const tx = (x: number) => (logX ? Math.log10(x) : x);
  // Non-finite points (a diverged loss) are left out rather than breaking the path.
  const drawn = useMemo(
    () =>
      series.map((s) => {
        const finite = s.points.filter(
          (p) => Number.isFinite(p.y) && Number.isFinite(logX ? Math.log10(p.x) : p.x),
        );
        return { ...s, total: finite.length, points: decimateMinMax(finite) };
      }),
    [series, logX],
  );
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
        pick(logX ? 10 ** t : t, e.shiftKey);
      }
    : undefined;
  const xLabel = (v: number) =>
    logX ? (xFormat ?? ((u: number) => u.toExponential(0)))(10 ** v) : (xFormat ?? format)(v);
  return (
    <div className="live-chart-wrap" style={{ width }}>
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
          stroke="var(--axis)"
        />
        <line x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={PAD.top + h} stroke="var(--axis)" />
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
            {xLabel(v)}
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
            data-points={s.total}
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
      <div className="chart-legend" aria-hidden>
        {drawn.map((s) => (
          <span key={s.name}>
            <i style={{ background: s.color }} />
            {s.name}
          </span>
        ))}
      </div>
    </div>
  );
});
