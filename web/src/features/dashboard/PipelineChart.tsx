import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { STAGE_LABELS } from '../records/stages.ts';
import { ChartFigure } from './ChartFigure.tsx';
import type { SalesDashboard } from './useSalesDashboard.ts';

/** Open deals by stage, one chart per currency: amounts in different currencies are never added up. */
export function PipelineChart({ rows, showTable }: { rows: SalesDashboard['pipeline']; showTable: boolean }) {
  const currencies = [...new Set(rows.map((row) => row.currency))];
  return (
    <ChartFigure
      title="Pipeline by stage"
      showTable={showTable}
      chart={
        currencies.length === 0 ? (
          <p className="muted">No open deals in this period.</p>
        ) : (
          currencies.map((currency) => (
            <div key={currency}>
              <h3>{currency}</h3>
              <ResponsiveContainer width="100%" height={220}>
                <BarChart
                  accessibilityLayer={false}
                  data={rows
                    .filter((row) => row.currency === currency)
                    .map((row) => ({ ...row, label: STAGE_LABELS[row.stage], value: Number(row.amount) }))}
                >
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="label" />
                  <YAxis />
                  <Tooltip />
                  <Bar dataKey="value" name={`Amount (${currency})`} fill="#3b6fd8" isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            </div>
          ))
        )
      }
      table={
        <table>
          <caption>Open deals by stage and currency</caption>
          <thead>
            <tr>
              <th scope="col">Stage</th>
              <th scope="col">Currency</th>
              <th scope="col">Deals</th>
              <th scope="col">Amount</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={`${row.stage}-${row.currency}`}>
                <td>{STAGE_LABELS[row.stage]}</td>
                <td>{row.currency}</td>
                <td>{row.count}</td>
                <td>{row.amount}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}
