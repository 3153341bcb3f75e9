import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { client, unwrap } from '../../api/client.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { Field } from '../../ui/Field.tsx';
import { CHANNELS, REQUEST_TYPES, type Dsr, type DsrType } from './requestLabels.ts';

/** A request logged by hand came by one of these; the portal logs its own. */
const LOGGED_CHANNELS = ['email', 'phone', 'letter', 'in_person'] as const;
type Channel = (typeof LOGGED_CHANNELS)[number];

/** Logs a request received by e-mail, phone, letter or in person; the server sends the receipt. */
export function LogRequestForm({ onLogged }: { onLogged(request: Dsr): void }) {
  const [values, setValues] = useState({
    type: 'access' as DsrType,
    channel: 'email' as Channel,
    email: '',
    name: '',
    details: '',
    identityStatus: 'unverified' as 'unverified' | 'verified',
    identityMethod: '',
  });
  const log = useMutation({
    mutationFn: () =>
      unwrap(
        client.POST('/api/v1/dsr-requests', {
          body: {
            ...values,
            assigneeId: null,
            name: values.name || null,
            details: values.details || null,
            identityMethod: values.identityMethod || null,
          },
        }),
      ),
    onSuccess: onLogged,
  });
  const text = (key: 'email' | 'name' | 'details' | 'identityMethod', label: string, type = 'text') => (
    <Field label={label}>
      <input type={type} value={values[key]} required={key === 'email'} onChange={(e) => setValues({ ...values, [key]: e.target.value })} />
    </Field>
  );
  return (
    <form
      className="record-form"
      aria-label="Log a request"
      onSubmit={(event) => {
        event.preventDefault();
        log.mutate();
      }}
    >
      <Field label="Type">
        <select value={values.type} onChange={(e) => setValues({ ...values, type: e.target.value as DsrType })}>
          {Object.entries(REQUEST_TYPES).map(([type, label]) => (
            <option key={type} value={type}>
              {label}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Received by">
        <select value={values.channel} onChange={(e) => setValues({ ...values, channel: e.target.value as Channel })}>
          {LOGGED_CHANNELS.map((channel) => (
            <option key={channel} value={channel}>
              {CHANNELS[channel]}
            </option>
          ))}
        </select>
      </Field>
      {text('email', 'Requester email', 'email')}
      {text('name', 'Requester name')}
      {text('details', 'What they asked')}
      <Field label="Identity">
        <select
          value={values.identityStatus}
          onChange={(e) => setValues({ ...values, identityStatus: e.target.value as 'unverified' | 'verified' })}
        >
          <option value="unverified">not verified yet</option>
          <option value="verified">verified</option>
        </select>
      </Field>
      {text('identityMethod', 'Verified how')}
      <div className="actions">
        <button type="submit" disabled={log.isPending}>
          Log request (sends a receipt)
        </button>
      </div>
      <ErrorMessage error={log.error} />
    </form>
  );
}
