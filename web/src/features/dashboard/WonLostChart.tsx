import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartFigure } from './ChartFigure.tsx';
import type { SalesDashboard } from './useSalesDashboard.ts';

/** Deals won and lost in each month of the period, with what the won ones were worth per currency. */
export function WonLostChart({ months, showTable }: { months: SalesDashboard['months']; showTable: boolean }) {
  return (
    <ChartFigure
      title="Won and lost per month"
      showTable={showTable}
      chart={
        <ResponsiveContainer width="100%" height={240}>
          <BarChart accessibilityLayer={false} data={months}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="month" />
            <YAxis allowDecimals={false} />
            <Tooltip />
            <Legend />
            <Bar dataKey="won" name="Won" fill="#2e8b57" isAnimationActive={false} />
            <Bar dataKey="lost" name="Lost" fill="#c0392b" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      }
      table={
        <table>
          <caption>Deals won and lost per month</caption>
          <thead>
            <tr>
              <th scope="col">Month</th>
              <th scope="col">Won</th>
              <th scope="col">Lost</th>
              <th scope="col">Won amount</th>
            </tr>
          </thead>
          <tbody>
            {months.map((row) => (
              <tr key={row.month}>
                <td>{row.month}</td>
                <td>{row.won}</td>
                <td>{row.lost}</td>
                <td>{row.wonAmounts.map((sum) => `${sum.amount} ${sum.currency}`).join(', ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}
