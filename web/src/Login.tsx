import { useState, type FormEvent } from 'react';
import { ApiError, post, type Session } from './api.ts';
import { ErrorMessage } from './components.tsx';

export function Login({ onSignedIn }: { onSignedIn(session: Session): void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [needsTotp, setNeedsTotp] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await post<Session>('/api/v1/auth/login', { email, password, ...(needsTotp ? { totp } : {}) }));
    } catch (caught) {
      if (caught instanceof ApiError && caught.code === 'totp_required') setNeedsTotp(true);
      else setError(caught);
    } finally {
      setBusy(false);
    }
  }
  return (
    <main className="narrow">
      <h1>Lawful CRM</h1>
      <form onSubmit={submit} aria-label="Sign in">
        <label>
          <span>Email</span>
          <input type="email" autoComplete="username" value={email} onChange={(event) => setEmail(event.target.value)} required autoFocus />
        </label>
        <label>
          <span>Password</span>
          <input type="password" autoComplete="current-password" value={password} onChange={(event) => setPassword(event.target.value)} required />
        </label>
        {needsTotp && (
          <label>
            <span>Authentication code</span>
            <input inputMode="numeric" autoComplete="one-time-code" pattern="\d{6}" value={totp} onChange={(event) => setTotp(event.target.value)} required autoFocus />
          </label>
        )}
        <ErrorMessage error={error} />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}

export function AcceptInvitation({ onSignedIn }: { onSignedIn(session: Session): void }) {
  const token = window.location.hash.replace(/^#/, '');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    try {
      const session = await post<Session>('/api/v1/auth/invitations/accept', { token, password, ...(name ? { name } : {}) });
      window.history.replaceState(null, '', '/');
      onSignedIn(session);
    } catch (caught) {
      setError(caught);
    }
  }
  return (
    <main className="narrow">
      <h1>Join your team on Lawful CRM</h1>
      <form onSubmit={submit} aria-label="Accept invitation">
        <label>
          <span>Your name (new accounts)</span>
          <input value={name} onChange={(event) => setName(event.target.value)} />
        </label>
        <label>
          <span>Password (at least 12 characters; your existing one if you already have an account)</span>
          <input type="password" autoComplete="new-password" value={password} onChange={(event) => setPassword(event.target.value)} required minLength={12} />
        </label>
        <ErrorMessage error={error} />
        <button type="submit">Join</button>
      </form>
    </main>
  );
}
