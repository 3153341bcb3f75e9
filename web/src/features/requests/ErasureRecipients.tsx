import { dateTime } from '../../ui/labels.ts';
import type { Dsr } from './requestLabels.ts';

/** Art. 19: each connected CRM the erasure was carried to, and what it did (or that it is still owed). */
export function ErasureRecipients({ recipients }: { recipients: Dsr['recipients'] }) {
  return (
    <section aria-label="Recipients">
      <h2>Recipients told (Art. 19)</h2>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th>CRM</th>
              <th>Object</th>
              <th>State</th>
              <th>What it did</th>
            </tr>
          </thead>
          <tbody>
            {recipients.map((r) => (
              <tr key={`${r.integrationId}:${r.object}:${r.state}:${r.note}`}>
                <td>
                  {r.label} <span className="badge">{r.kind}</span>
                </td>
                <td>
                  {r.count} {r.object}
                </td>
                <td>
                  {r.state === 'done' ? `erased${r.permanent ? ' permanently' : ''}${r.at ? `, ${dateTime(r.at)}` : ''}` : 'still owed'}
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
