import type { ResponseOf } from '../../api/client.ts';
import { dateOnly, labelOf } from '../../ui/labels.ts';
import { recordHref } from '../../ui/recordHref.ts';

type Hold = ResponseOf<'/api/v1/legal-holds'>['items'][number];

/** Records kept from retention and erasure by a legal hold, and the release of each. */
export function LegalHolds({ holds, onRelease }: { holds: Hold[]; onRelease(id: string): void }) {
  return (
    <>
      <h2>Legal holds</h2>
      <table>
        <tbody>
          {holds.map((hold) => {
            const href = recordHref(hold.recordType, hold.recordId);
            return (
              <tr key={hold.id}>
                <td>{href ? <a href={href}>{labelOf(hold.recordType)}</a> : labelOf(hold.recordType)}</td>
                <td className="wrap">{hold.reason}</td>
                <td>{dateOnly(hold.placedAt)}</td>
                <td>
                  {hold.releasedAt ? (
                    `released ${dateOnly(hold.releasedAt)}`
                  ) : (
                    <button className="secondary" onClick={() => onRelease(hold.id)}>
                      Release
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {holds.length === 0 && <p className="muted">No record is under legal hold. Place one from a contact or lead page.</p>}
    </>
  );
}
