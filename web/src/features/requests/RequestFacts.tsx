import { dateOnly, labelOf } from '../../ui/labels.ts';
import { recordHref } from '../../ui/recordHref.ts';
import { DeadlineBadge } from './DeadlineBadge.tsx';
import { CHANNELS, JURISDICTION_LABELS, type Dsr } from './requestLabels.ts';

/** What the request is: its status, receipt, deadline (with the article it comes from), identity check and records. */
export function RequestFacts({ request }: { request: Dsr }) {
  return (
    <dl className="fields">
      <div>
        <dt>Status</dt>
        <dd>{labelOf(request.status)}</dd>
      </div>
      <div>
        <dt>Received</dt>
        <dd>
          {dateOnly(request.receivedAt)} via {CHANNELS[request.channel]}
        </dd>
      </div>
      <div>
        <dt>Due</dt>
        <dd>
          {dateOnly(request.dueAt)} <DeadlineBadge deadline={request.deadline} />
          <div className="muted">
            {JURISDICTION_LABELS[request.jurisdiction] ?? request.jurisdiction}: {request.deadlineReference}
          </div>
          {request.extensionReason && <div className="muted">extended: {request.extensionReason}</div>}
        </dd>
      </div>
      <div>
        <dt>Identity</dt>
        <dd>
          {labelOf(request.identityStatus)}
          {request.identityMethod ? ` (${request.identityMethod})` : ''}
        </dd>
      </div>
      <div>
        <dt>Records</dt>
        <dd>
          {request.people.length === 0
            ? 'none holds this address'
            : request.people.map((person) => (
                <div key={person.id}>
                  <a href={recordHref(person.type, person.id) ?? '#'}>{person.name ?? labelOf(person.type)}</a>{' '}
                  <span className="muted">({person.type})</span>
                </div>
              ))}
        </dd>
      </div>
      <div>
        <dt>What they asked</dt>
        <dd className="wrap">{request.details ?? '—'}</dd>
      </div>
      {request.rejectionReason && (
        <div>
          <dt>Rejected because</dt>
          <dd className="wrap">{request.rejectionReason}</dd>
        </div>
      )}
    </dl>
  );
}
