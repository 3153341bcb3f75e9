import { useState } from 'react';
import { client, unwrap } from '../../api/client.ts';
import { usePageData } from '../../api/usePageData.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { ReasonButton } from '../../ui/ReasonButton.tsx';
import { ConsentHistory } from './ConsentHistory.tsx';
import { ConsentStates } from './ConsentStates.tsx';
import { JurisdictionLine } from './JurisdictionLine.tsx';
import { personConsentApi, type PersonPath } from './personConsentApi.ts';
import { RecordConsentForm } from './RecordConsentForm.tsx';
import { SoftOptInPanel } from './SoftOptInPanel.tsx';

/** On a contact or lead page: the state per purpose, the gate's verdict, the ledger, and actions. */
export function ConsentPanel({ path, id }: { path: PersonPath; id: string }) {
  const api = personConsentApi(path, id);
  const { data, error, act, run } = usePageData([path, id, 'consents'], (signal) => api.consents(signal));
  const [holdPlaced, setHoldPlaced] = useState(false);
  const placeHold = async (reason: string) => {
    const recordType = path === 'contacts' ? 'contact' : 'lead';
    await unwrap(client.POST('/api/v1/legal-holds', { body: { recordType, recordId: id, reason } }));
    setHoldPlaced(true);
  };

  if (!data)
    return <section aria-label="Consents">{error ? <ErrorMessage error={error} /> : <p className="muted">Loading consents…</p>}</section>;
  return (
    <section aria-label="Consents" className="consents">
      <div className="page-header">
        <h2>Purposes and consent</h2>
        <div className="actions">
          <a className="button secondary" href={api.proofHref('pdf')}>
            Proof of consent (PDF)
          </a>
          <a className="button secondary" href={api.proofHref('json')}>
            JSON
          </a>
          <ReasonButton
            label="Legal hold"
            title="Place a legal hold"
            field="Why this record must be kept (retention rules will not touch it)"
            submitLabel="Place hold"
            onSubmit={(reason) => act(() => placeHold(reason))()}
          />
          {data.restricted ? (
            <button className="secondary" onClick={act(() => api.liftRestriction())}>
              Lift restriction
            </button>
          ) : (
            <ReasonButton
              label="Restrict processing"
              className="danger"
              title="Restrict processing (Art. 18)"
              field="Why processing is restricted"
              submitLabel="Restrict"
              onSubmit={(reason) => act(() => api.restrict(reason))()}
            />
          )}
        </div>
      </div>
      {holdPlaced && <p role="status">Legal hold placed: retention rules will not touch this record.</p>}
      {data.restricted && <p className="error">Processing is restricted: this person is stored, not processed.</p>}
      {data.suppressed && <p className="error">On the suppression list: no marketing email goes to this person.</p>}
      <JurisdictionLine consents={data} />
      <ConsentStates states={data.states} />
      <SoftOptInPanel
        softOptIn={data.softOptIn}
        onRecord={(body) => run(() => api.recordSoftOptIn(body))}
        onRemove={act(() => api.removeSoftOptIn())}
      />
      <h2>Consent history</h2>
      <ConsentHistory history={data.history} />
      <RecordConsentForm onSubmit={(body) => run(() => api.record(body))} />
      <ErrorMessage error={error} />
    </section>
  );
}
