import { dateTime } from '../../ui/labels.ts';
import type { Dsr } from './requestLabels.ts';

const DONE: Record<Dsr['recipients'][number]['operation'], string> = {
  erasure: 'erased',
  rectification: 'corrected',
  objection: 'unsubscribed',
};

/** Art. 19: each connected CRM the erasure, correction or objection was carried to, and what it did (or that it is still owed). */
export function RecipientsTold({ recipients }: { recipients: Dsr['recipients'] }) {
  return (
    <section aria-label="Recipients">
      <h2>Recipients told (Art. 19)</h2>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th>CRM</th>
              <th>Operation</th>
              <th>Object</th>
              <th>State</th>
              <th>What it did</th>
            </tr>
          </thead>
          <tbody>
            {recipients.map((r) => (
              <tr key={`${r.integrationId}:${r.operation}:${r.object}:${r.state}:${r.note}`}>
                <td>
                  {r.label} <span className="badge">{r.kind}</span>
                </td>
                <td>{r.operation}</td>
                <td>
                  {r.count} {r.object}
                </td>
                <td>
                  {r.state === 'done'
                    ? `${DONE[r.operation]}${r.permanent ? ' permanently' : ''}${r.at ? `, ${dateTime(r.at)}` : ''}`
                    : 'still owed'}
                </td>
                <td className="wrap">{r.note}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
