/**
 * A small bar chart of recent values (plain SVG, no chart library): the live view's facts per
 * second and the overview's store-wide rate. Bars rather than a line, so a single busy second
 * stands out instead of being smoothed into its neighbours. `fluid` fills the container's width.
 */
export function Sparkline(props: {
  values: number[];
  width: number;
  height: number;
  label: string;
  fluid?: boolean;
  testId?: string;
}) {
  const { values, width, height } = props;
  const max = Math.max(1, ...values);
  const bar = width / Math.max(1, values.length);
  return (
    <svg
      width={props.fluid ? "100%" : width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={props.label}
      data-testid={props.testId}
      className="block rounded border border-line bg-surface-2"
    >
      {values.map((n, i) => {
        const h = (n / max) * (height - 4);
        return (
          <rect
            key={i}
            x={i * bar + 0.5}
            y={height - h}
            width={Math.max(1, bar - 1)}
            height={h}
            className="fill-accent"
          />
        );
      })}
    </svg>
  );
}
