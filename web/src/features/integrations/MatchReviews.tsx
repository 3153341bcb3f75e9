import type { Schemas } from '../../api/client.ts';
import { labelOf } from '../../ui/labels.ts';
import { recordHref } from '../../ui/recordHref.ts';

type Resolution = { resolution: 'merged'; mergeInto: string } | { resolution: 'kept_separate' };

/** External records the matcher would not merge on its own: merge into a candidate, or keep apart. */
export function MatchReviews({
  reviews,
  canManage,
  onResolve,
}: {
  reviews: Array<Schemas['Review']>;
  canManage: boolean;
  onResolve(id: string, resolution: Resolution): void;
}) {
  return (
    <>
      <h2>To review ({reviews.length})</h2>
      {reviews.length === 0 && <p className="muted">No external record was ambiguous.</p>}
      <ul aria-label="Match reviews">
        {reviews.map((review) => (
          <li key={review.id} className="wrap">
            {review.object} {review.externalId} was kept as{' '}
            <a href={recordHref(review.recordType, review.recordId) ?? '#'}>a separate {labelOf(review.recordType).toLowerCase()}</a>:{' '}
            {review.explanation}.{' '}
            {canManage &&
              review.candidateIds.map((candidate) => (
                <button
                  key={candidate}
                  className="secondary"
                  onClick={() => onResolve(review.id, { resolution: 'merged', mergeInto: candidate })}
                >
                  Merge into {candidate.slice(0, 8)}
                </button>
              ))}
            {canManage && (
              <button className="secondary" onClick={() => onResolve(review.id, { resolution: 'kept_separate' })}>
                Keep apart
              </button>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}
