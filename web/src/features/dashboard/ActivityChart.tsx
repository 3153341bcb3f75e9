import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useMembers } from '../members/useMembers.ts';
import { ChartFigure } from './ChartFigure.tsx';
import type { SalesDashboard } from './useSalesDashboard.ts';

const KINDS = [
  { key: 'calls', label: 'Calls', color: '#3b6fd8' },
  { key: 'emails', label: 'E-mails', color: '#8e44ad' },
  { key: 'meetings', label: 'Meetings', color: '#16a085' },
  { key: 'notes', label: 'Notes', color: '#7f8c8d' },
  { key: 'tasksDone', label: 'Tasks done', color: '#d35400' },
] as const;

/** What each member logged in the period, stacked by kind. */
export function ActivityChart({ rows, showTable }: { rows: SalesDashboard['activities']; showTable: boolean }) {
  const { nameOf } = useMembers();
  const data = rows.map((row) => ({ ...row, name: nameOf(row.memberId) || 'Former member' }));
  return (
    <ChartFigure
      title="Activities per member"
      showTable={showTable}
      chart={
        data.length === 0 ? (
          <p className="muted">Nothing logged in this period.</p>
        ) : (
          <ResponsiveContainer width="100%" height={240}>
            <BarChart accessibilityLayer={false} data={data}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="name" />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Legend />
              {KINDS.map((kind) => (
                <Bar key={kind.key} dataKey={kind.key} name={kind.label} stackId="activity" fill={kind.color} isAnimationActive={false} />
              ))}
            </BarChart>
          </ResponsiveContainer>
        )
      }
      table={
        <table>
          <caption>Activities per member</caption>
          <thead>
            <tr>
              <th scope="col">Member</th>
              {KINDS.map((kind) => (
                <th key={kind.key} scope="col">
                  {kind.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.map((row) => (
              <tr key={row.memberId}>
                <td>{row.name}</td>
                {KINDS.map((kind) => (
                  <td key={kind.key}>{row[kind.key]}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}
