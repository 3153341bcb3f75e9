import { ConfirmButton } from '../../ui/ConfirmButton.tsx';
import { ReasonButton } from '../../ui/ReasonButton.tsx';
import { EXECUTABLE, REQUEST_TYPES, type Dsr } from './requestLabels.ts';

export interface RequestSteps {
  verifyIdentity(method: string): void;
  start(): void;
  execute(): void;
  complete(): void;
  extend(reason: string): void;
  reject(reason: string): void;
}

/** The steps of an open request; the irreversible one asks first, the ones that need a reason ask for it. */
export function RequestActions({ request, actions }: { request: Dsr; actions: RequestSteps }) {
  const executable = EXECUTABLE.has(request.type);
  const erasure = request.type === 'erasure';
  return (
    <div className="actions request-actions">
      {request.identityStatus !== 'verified' && (
        <ReasonButton
          label="Mark identity verified"
          title="How was the identity verified?"
          field="Method (kept as evidence), e.g. replied from the address on file, ID document seen and not copied"
          submitLabel="Mark verified"
          onSubmit={actions.verifyIdentity}
        />
      )}
      {request.status === 'received' && (
        <button className="secondary" onClick={actions.start}>
          Start
        </button>
      )}
      {executable && (
        <ConfirmButton
          label={erasure ? 'Erase and complete' : 'Execute and complete'}
          tone={erasure ? 'danger' : 'primary'}
          title={erasure ? 'Erase this person’s data?' : `Carry out this ${REQUEST_TYPES[request.type].toLowerCase()} request?`}
          confirmLabel={erasure ? 'Erase' : 'Carry out'}
          onConfirm={actions.execute}
        >
          <p>
            {erasure
              ? `Every record of the person (${request.people.length}) is erased here (their keys destroyed), connected CRMs are asked to erase too, and the request is completed. This cannot be undone.`
              : 'The request is carried out and completed; the person is told.'}
          </p>
        </ConfirmButton>
      )}
      {!executable && request.status === 'in_progress' && <button onClick={actions.complete}>Mark completed</button>}
      {!request.extendedAt && (
        <ReasonButton
          label="Extend by two months"
          title="Extend the deadline by two months"
          field="Why more time is needed (sent to the person, Art. 12(3))"
          submitLabel="Extend"
          onSubmit={actions.extend}
        />
      )}
      <ReasonButton
        label="Reject"
        className="danger"
        title="Reject the request"
        field="Why it is rejected (sent to the person, with their right to complain)"
        submitLabel="Reject request"
        onSubmit={actions.reject}
      />
    </div>
  );
}
