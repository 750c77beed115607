import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { colourOf, hasIsolatedValues, hasValues, type ChartData } from './series';
import { EmptyNotice } from './ui';

export interface ChartProps {
  title: string;
  data: ChartData;
  /** Legend labels, one per line after the x values. */
  lines: string[];
  /** How the y axis and the legend write a value. */
  format: (value: number) => string;
  /** Shown instead of the plot when no line has a value. */
  empty: string;
  testId?: string;
}

const HEIGHT = 180;

/**
 * A uPlot line chart that follows its container's width. The canvas is not readable by a screen
 * reader, so the figure is labelled and every panel shows the same numbers in a table.
 */
export function Chart({ title, data, lines, format, empty, testId }: ChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const drawable = hasValues(data);
  const points = hasIsolatedValues(data);
  const shape = `${lines.join('\u0000')}|${drawable}|${points}`;

  useEffect(() => {
    const element = host.current;
    if (!element || !drawable) return;
    const options: uPlot.Options = {
      width: Math.max(200, element.clientWidth),
      height: HEIGHT,
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      series: [
        {},
        ...lines.map((label, i) => ({
          label,
          stroke: colourOf(i),
          width: 2,
          points: { show: points, size: 6 },
          value: (_u: uPlot, v: number | null) => (v === null ? '—' : format(v)),
        })),
      ],
      axes: [
        {},
        {
          size: 64,
          values: (_u: uPlot, values: number[]) => values.map((v) => format(v)),
        },
      ],
    };
    const chart = new uPlot(options, data as uPlot.AlignedData, element);
    plot.current = chart;
    const resize = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(200, element.clientWidth), height: HEIGHT }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // Rebuilt only when the lines change; new data goes through setData below.
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData);
  }, [data]);

  return (
    <figure class="chart" aria-label={title} data-testid={testId} data-points={data[0].length}>
      <figcaption>{title}</figcaption>
      {drawable ? <div ref={host} class="chart-canvas" /> : <EmptyNotice>{empty}</EmptyNotice>}
    </figure>
  );
}
