import type { Dsr } from './requestLabels.ts';
import { dateTime, labelOf } from '../../ui/labels.ts';

/** The request's evidence, oldest first: what was done, when and by whom. */
export function EvidenceList({ evidence }: { evidence: Dsr['evidence'] }) {
  return (
    <>
      <h2>Evidence</h2>
      <ol className="timeline" aria-label="Evidence">
        {evidence.map((item) => (
          <li key={item.id}>
            <strong>{labelOf(item.kind)}</strong>{' '}
            <span className="muted">
              {dateTime(item.createdAt)} · {labelOf(item.actorType).toLowerCase()}
            </span>
            <p className="wrap">{item.summary}</p>
          </li>
        ))}
      </ol>
    </>
  );
}
