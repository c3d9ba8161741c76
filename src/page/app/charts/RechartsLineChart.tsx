// The live charts drawn with recharts, kept cheap for the main thread: each series decimated to
// at most MAX_POINTS min/max-preserving points, no animation, no dots, no tooltip, memoised per
// props (the Train panel re-renders them about once a second). Same props as LiveLineChart.
import { memo, useMemo } from 'react';
import { CartesianGrid, Line, LineChart, ReferenceLine, XAxis, YAxis } from 'recharts';
import { decimateMinMax, extent } from './decimate';
import type { ChartProps } from './LiveChart';

const MARGIN = { top: 8, right: 12, bottom: 4, left: 4 };
const Y_AXIS_WIDTH = 56;
const X_AXIS_HEIGHT = 22;

export const RechartsLineChart = memo(function RechartsLineChart(props: ChartProps) {
  const {
    series,
    width = 640,
    height = 220,
    logX = false,
    format = (v: number) => v.toPrecision(3),
    xFormat,
    xDomain,
    onPick,
  } = props;
  const drawn = useMemo(
    () =>
      series.map((s) => {
        const finite = s.points.filter(
          (p) => Number.isFinite(p.y) && Number.isFinite(p.x) && (!logX || p.x > 0),
        );
        return { ...s, total: finite.length, points: decimateMinMax(finite) };
      }),
    [series, logX],
  );
  const [x0, x1] = useMemo<[number, number]>(() => {
    if (xDomain) return xDomain;
    const xs = drawn.flatMap((s) => s.points.map((p) => p.x));
    return extent(xs, logX ? [1e-7, 10] : [0, 1]);
  }, [drawn, xDomain, logX]);
  const [y0, y1] = useMemo(
    () =>
      extent(
        drawn.flatMap((s) => s.points.map((p) => p.y)),
        [0, 1],
      ),
    [drawn],
  );
  const plotLeft = MARGIN.left + Y_AXIS_WIDTH;
  const plotWidth = width - plotLeft - MARGIN.right;
  const onClick = onPick
    ? (e: React.MouseEvent<HTMLDivElement>) => {
        const box = e.currentTarget.getBoundingClientRect();
        const f = Math.min(1, Math.max(0, (e.clientX - box.left - plotLeft) / plotWidth));
        onPick(
          logX
            ? 10 ** (Math.log10(x0) + f * (Math.log10(x1) - Math.log10(x0)))
            : x0 + f * (x1 - x0),
          e.shiftKey,
        );
      }
    : undefined;
  const tickX = xFormat ?? (logX ? (v: number) => v.toExponential(0) : format);
  return (
    <div
      className={onPick ? 'live-chart pickable' : 'live-chart'}
      role="img"
      aria-label={props.label}
      data-testid={props.testId}
      onClick={onClick}
      style={{ width, height: height + 18 }}
    >
      <LineChart width={width} height={height} margin={MARGIN}>
        <CartesianGrid stroke="var(--grid)" strokeDasharray="2 4" />
        <XAxis
          type="number"
          dataKey="x"
          scale={logX ? 'log' : 'linear'}
          domain={[x0, x1]}
          allowDataOverflow
          tickFormatter={tickX}
          tick={{ fontSize: 11, fill: 'currentColor' }}
          height={X_AXIS_HEIGHT}
          stroke="var(--axis)"
        />
        <YAxis
          type="number"
          domain={[y0, y1]}
          allowDataOverflow
          tickFormatter={format}
          tick={{ fontSize: 11, fill: 'currentColor' }}
          width={Y_AXIS_WIDTH}
          stroke="var(--axis)"
          tickCount={4}
        />
        {drawn.map((s) => (
          <Line
            key={s.name}
            name={s.name}
            data={s.points}
            dataKey="y"
            type="linear"
            stroke={s.color}
            strokeWidth={1.5}
            strokeDasharray={s.dashed ? '4 3' : undefined}
            dot={false}
            activeDot={false}
            isAnimationActive={false}
          />
        ))}
        {props.markers?.map((m) => (
          <ReferenceLine
            key={m.label}
            x={m.x}
            stroke={m.color}
            strokeDasharray="3 3"
            label={{ value: m.label, position: 'insideTopRight', fill: m.color, fontSize: 11 }}
          />
        ))}
      </LineChart>
      <div className="chart-legend" aria-hidden>
        {drawn.map((s) => (
          <span key={s.name} data-series={s.name} data-points={s.total}>
            <i style={{ background: s.color }} />
            {s.name}
          </span>
        ))}
        {props.markers?.map((m) => (
          <span key={m.label} data-marker={m.label} hidden />
        ))}
      </div>
    </div>
  );
});
