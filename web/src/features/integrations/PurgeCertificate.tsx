import type { Schemas } from '../../api/client.ts';
import { dateTime } from '../../ui/labels.ts';
import { inOrder } from './inOrder.ts';

/** What a disconnection deleted, unlinked and kept, and what became of the credentials. */
export function PurgeCertificate({ certificate, order }: { certificate: Schemas['PurgeCertificate']; order: string[] }) {
  return (
    <section aria-label="Purge certificate">
      <h3>Purge certificate</h3>
      <p>
        Started {dateTime(certificate.startedAt)}
        {certificate.finishedAt ? `, finished ${dateTime(certificate.finishedAt)}` : ' — running'}; credentials{' '}
        {certificate.credentialsDeleted ? 'deleted here' : 'not yet deleted here'}, at the vendor:{' '}
        {certificate.credentialsRevoked ? 'revoked' : certificate.credentialsRevocation}.
      </p>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th>Object</th>
              <th>Before</th>
              <th>Deleted</th>
              <th>Unlinked (kept: another source)</th>
              <th>After</th>
            </tr>
          </thead>
          <tbody>
            {inOrder(certificate.objects, order).map(([object, counts]) => (
              <tr key={object}>
                <td>{object}</td>
                <td>{counts.before}</td>
                <td>{counts.deleted}</td>
                <td>{counts.unlinked}</td>
                <td>{counts.after}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {certificate.kept.length > 0 && (
        <ul aria-label="Kept records">
          {certificate.kept.map((k) => (
            <li key={`${k.recordType}:${k.reason}`}>
              {k.count} {k.recordType}
              {k.count === 1 ? '' : 's'} kept: {k.reason}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
