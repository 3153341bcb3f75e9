import type { ReactNode } from 'react';

interface Props {
  title: string;
  /** The chart, for the eye: hidden from screen readers, which read the table instead. */
  chart: ReactNode;
  /** The same numbers as a table: always there for screen readers, shown when asked. */
  table: ReactNode;
  showTable: boolean;
}

/** One chart of the dashboard with its numbers as a table. */
export function ChartFigure({ title, chart, table, showTable }: Props) {
  return (
    <section className="chart" aria-label={title}>
      <h2>{title}</h2>
      <div aria-hidden="true" className="chart-canvas">
        {chart}
      </div>
      <div className={showTable ? undefined : 'visually-hidden'}>{table}</div>
    </section>
  );
}
