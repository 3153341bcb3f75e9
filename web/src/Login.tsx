import { useState, type FormEvent } from 'react';
import { ApiError, client, unwrap } from './api/client.ts';
import type { Session } from './routes.tsx';
import { ErrorMessage } from './ui/ErrorMessage.tsx';

export function Login({ onSignedIn }: { onSignedIn(session: Session): void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [needsTotp, setNeedsTotp] = useState(false);
  const [useRecovery, setUseRecovery] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(
        await unwrap(
          client.POST('/api/v1/auth/login', {
            body: { email, password, ...(needsTotp ? (useRecovery ? { recoveryCode: totp } : { totp }) : {}) },
          }),
        ),
      );
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
          <input
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            required
          />
        </label>
        {needsTotp && !useRecovery && (
          <label>
            <span>Authentication code</span>
            <input
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="\d{6}"
              value={totp}
              onChange={(event) => setTotp(event.target.value)}
              required
              autoFocus
            />
          </label>
        )}
        {needsTotp && useRecovery && (
          <label>
            <span>Recovery code</span>
            <input autoComplete="off" value={totp} onChange={(event) => setTotp(event.target.value)} required autoFocus />
          </label>
        )}
        {needsTotp && (
          <button
            type="button"
            className="link"
            onClick={() => {
              setUseRecovery(!useRecovery);
              setTotp('');
            }}
          >
            {useRecovery ? 'Use a code from the app' : 'Lost your phone? Use a recovery code'}
          </button>
        )}
        <ErrorMessage error={error} />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}

/**
 * A newcomer creates the account here. The owner of an existing account signs in first (with
 * their second factor) and then accepts from that session: a password alone never joins.
 */
export function AcceptInvitation({ onSignedIn }: { onSignedIn(session: Session): void }) {
  const token = window.location.hash.replace(/^#/, '');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [mustSignIn, setMustSignIn] = useState(false);
  function finish(session: Session) {
    window.history.replaceState(null, '', '/');
    onSignedIn(session);
  }
  async function submit(event: FormEvent) {
    event.preventDefault();
    try {
      finish(await unwrap(client.POST('/api/v1/auth/invitations/accept', { body: { token, password, name } })));
    } catch (caught) {
      if (caught instanceof ApiError && caught.code === 'sign_in_to_accept') setMustSignIn(true);
      else setError(caught);
    }
  }
  async function joinSignedIn() {
    try {
      finish(await unwrap(client.POST('/api/v1/invitations/accept', { body: { token } })));
    } catch (caught) {
      setError(caught);
    }
  }
  if (mustSignIn) {
    return (
      <>
        <p className="narrow">You already have an account with this e-mail address: sign in to it to accept the invitation.</p>
        <ErrorMessage error={error} />
        <Login onSignedIn={() => void joinSignedIn()} />
      </>
    );
  }
  return (
    <main className="narrow">
      <h1>Join your team on Lawful CRM</h1>
      <form onSubmit={submit} aria-label="Accept invitation">
        <label>
          <span>Your name (for a new account)</span>
          <input value={name} onChange={(event) => setName(event.target.value)} />
        </label>
        <label>
          <span>Choose a password (at least 12 characters, hard to guess)</span>
          <input
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            required
            minLength={12}
          />
        </label>
        <ErrorMessage error={error} />
        <button type="submit">Join</button>
      </form>
    </main>
  );
}

/** The link from the sign-up e-mail: one press creates the workspace and signs its Administrator in. */
export function ConfirmSignUp({ onSignedIn }: { onSignedIn(session: Session): void }) {
  const token = window.location.hash.replace(/^#/, '');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function confirm() {
    setBusy(true);
    try {
      const session = await unwrap(client.POST('/api/v1/auth/signup/confirm', { body: { token } }));
      window.history.replaceState(null, '', '/');
      onSignedIn(session);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }
  return (
    <main className="narrow">
      <h1>Create your workspace</h1>
      <p>Your e-mail address is confirmed. Create the workspace you asked for and sign in.</p>
      <ErrorMessage error={error} />
      <button type="button" onClick={() => void confirm()} disabled={busy || !token}>
        Create workspace
      </button>
    </main>
  );
}
