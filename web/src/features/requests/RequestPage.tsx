import { useState } from 'react';
import { client, unwrap, type BodyOf } from '../../api/client.ts';
import { usePageData } from '../../api/usePageData.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { EvidenceList } from './EvidenceList.tsx';
import { RecipientsTold } from './RecipientsTold.tsx';
import { RequestActions } from './RequestActions.tsx';
import { RequestFacts } from './RequestFacts.tsx';
import { REQUEST_TYPES } from './requestLabels.ts';

/** One request: the person's records, the deadline, the steps, and the evidence. */
export function RequestPage({ id }: { id: string }) {
  const path = { params: { path: { id } } };
  const {
    data: request,
    error,
    act,
  } = usePageData(['dsr-requests', id], (signal) => unwrap(client.GET('/api/v1/dsr-requests/{id}', { ...path, signal })));
  const [note, setNote] = useState('');
  if (!request) return <main>{error ? <ErrorMessage error={error} /> : <p className="muted">Loading…</p>}</main>;
  const update = (body: BodyOf<'/api/v1/dsr-requests/{id}', 'patch'>) =>
    act(() => unwrap(client.PATCH('/api/v1/dsr-requests/{id}', { ...path, body })))();
  return (
    <main>
      <header className="page-header">
        <h1>
          {REQUEST_TYPES[request.type]} request <span className="muted">from {request.requester.email}</span>
        </h1>
      </header>
      <RequestFacts request={request} />
      {request.status !== 'completed' && request.status !== 'rejected' && (
        <RequestActions
          request={request}
          actions={{
            verifyIdentity: (method) => update({ identityStatus: 'verified', identityMethod: method }),
            start: () => update({ status: 'in_progress' }),
            complete: () => update({ status: 'completed' }),
            reject: (reason) => update({ status: 'rejected', rejectionReason: reason }),
            execute: act(() => unwrap(client.POST('/api/v1/dsr-requests/{id}/execute', path))),
            extend: (reason) => act(() => unwrap(client.POST('/api/v1/dsr-requests/{id}/extend', { ...path, body: { reason } })))(),
          }}
        />
      )}
      <ErrorMessage error={error} />
      {request.recipients.length > 0 && <RecipientsTold recipients={request.recipients} />}
      <EvidenceList evidence={request.evidence} />
      <form
        className="inline"
        onSubmit={act(async () => {
          await unwrap(client.POST('/api/v1/dsr-requests/{id}/evidence', { ...path, body: { kind: 'note', summary: note } }));
          setNote('');
        })}
      >
        <input
          aria-label="Evidence note"
          placeholder="Add a note to the evidence…"
          value={note}
          required
          onChange={(e) => setNote(e.target.value)}
        />
        <button type="submit">Add</button>
      </form>
    </main>
  );
}
