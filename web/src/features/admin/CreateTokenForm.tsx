import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { client, unwrap } from '../../api/client.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';

const EXPIRY_DAYS = [30, 90, 365];

export function CreateTokenForm({ permissions, onCreated }: { permissions: string[]; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [days, setDays] = useState<number | null>(90);
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        client.POST('/api/v1/api-tokens', {
          body: { name, scopes, expiresAt: days === null ? undefined : new Date(Date.now() + days * 86_400_000).toISOString() },
        }),
      ),
    onSuccess: () => {
      setName('');
      setScopes([]);
      onCreated();
    },
  });
  const toggle = (scope: string, on: boolean) => setScopes((current) => (on ? [...current, scope] : current.filter((s) => s !== scope)));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <section aria-labelledby="new-token-heading">
      <h2 id="new-token-heading">New token</h2>
      {create.data && (
        <div className="notice" role="status">
          <p>Copy the token “{create.data.name}” now: it is shown only once.</p>
          <code className="secret" data-testid="new-token">
            {create.data.token}
          </code>
        </div>
      )}
      <form className="stacked-form" aria-label="Create an API token" onSubmit={submit}>
        <label>
          Name
          <input value={name} maxLength={100} required onChange={(event) => setName(event.target.value)} />
        </label>
        <label>
          Expires
          <select value={days ?? 'never'} onChange={(event) => setDays(event.target.value === 'never' ? null : Number(event.target.value))}>
            {EXPIRY_DAYS.map((d) => (
              <option key={d} value={d}>
                In {d} days
              </option>
            ))}
            <option value="never">Never</option>
          </select>
        </label>
        <fieldset className="scopes">
          <legend>Scopes (what the token may do)</legend>
          {permissions.map((scope) => (
            <label key={scope} className="checkbox">
              <input type="checkbox" checked={scopes.includes(scope)} onChange={(event) => toggle(scope, event.target.checked)} /> {scope}
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={create.isPending || scopes.length === 0}>
          Create token
        </button>
        <ErrorMessage error={create.error} />
      </form>
    </section>
  );
}
