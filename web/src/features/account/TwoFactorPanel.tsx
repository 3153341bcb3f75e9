import { useMutation, useQueryClient } from '@tanstack/react-query';
import QRCode from 'qrcode';
import { useState, type FormEvent } from 'react';
import { client, unwrap, type Schemas } from '../../api/client.ts';
import { navigate } from '../../router.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { RecoveryCodes } from './RecoveryCodes.tsx';

type Setup = Schemas['TotpSetup'] & { qr: string };

/**
 * Two-factor enrolment: a QR code of the otpauth:// URL (and the secret to type in), then the
 * first code from the app proves it works. Reachable while the workspace locks an Administrator
 * without two-factor out of every other page.
 */
export function TwoFactorPanel({ enabled, onChanged }: { enabled: boolean; onChanged: () => void }) {
  const queryClient = useQueryClient();
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [freshCodes, setFreshCodes] = useState<string[] | null>(null);
  const start = useMutation({
    mutationFn: async (): Promise<Setup> => {
      const setup = await unwrap(client.POST('/api/v1/auth/totp/setup'));
      return { ...setup, qr: await QRCode.toDataURL(setup.otpauthUrl, { margin: 1, width: 192 }) };
    },
  });
  const finish = () => {
    setCode('');
    setPassword('');
    start.reset();
    void queryClient.invalidateQueries();
    onChanged();
  };
  const enable = useMutation({
    mutationFn: async () => {
      await unwrap(client.POST('/api/v1/auth/totp/enable', { body: { code } }));
      return unwrap(client.POST('/api/v1/auth/totp/recovery-codes'));
    },
    onSuccess: ({ codes }) => {
      setFreshCodes(codes);
      // Stay on this page (a locked-out Administrator came here from any address) until the codes are saved.
      navigate('account');
      finish();
    },
  });
  const disable = useMutation({
    mutationFn: () => unwrap(client.POST('/api/v1/auth/totp/disable', { body: { password, code } })),
    onSuccess: () => {
      setFreshCodes(null);
      finish();
    },
  });
  const submit = (action: { mutate: () => void }) => (event: FormEvent) => {
    event.preventDefault();
    action.mutate();
  };
  const codeInput = (
    <label>
      Code from the app
      <input
        value={code}
        onChange={(event) => setCode(event.target.value.replace(/\D/g, '').slice(0, 6))}
        inputMode="numeric"
        autoComplete="one-time-code"
        pattern="\d{6}"
        required
      />
    </label>
  );
  if (enabled)
    return (
      <section aria-labelledby="totp-heading">
        <h2 id="totp-heading">Two-factor authentication</h2>
        <p>Two-factor authentication is on: signing in asks for a code from your authenticator app.</p>
        <RecoveryCodes fresh={freshCodes} />
        <h3>Turn two-factor off</h3>
        <form className="stacked-form" aria-label="Turn two-factor off" onSubmit={submit(disable)}>
          <label>
            Password
            <input
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(event) => setPassword(event.target.value)}
              required
            />
          </label>
          {codeInput}
          <button type="submit" className="danger" disabled={disable.isPending}>
            Turn two-factor off
          </button>
          <ErrorMessage error={disable.error} />
        </form>
      </section>
    );
  return (
    <section aria-labelledby="totp-heading">
      <h2 id="totp-heading">Two-factor authentication</h2>
      {!start.data ? (
        <>
          <p>Protect your account with a code from an authenticator app (1Password, Google Authenticator, Aegis…) at each sign-in.</p>
          <button type="button" onClick={() => start.mutate()} disabled={start.isPending}>
            Set up two-factor authentication
          </button>
        </>
      ) : (
        <form className="stacked-form" aria-label="Finish two-factor setup" onSubmit={submit(enable)}>
          <p>Scan this code with your authenticator app, then type the 6-digit code it shows.</p>
          <img src={start.data.qr} width={192} height={192} alt="QR code to add this account to an authenticator app" />
          <p className="muted">
            Cannot scan? Enter this key: <code data-testid="totp-secret">{start.data.secret}</code>
          </p>
          {codeInput}
          <button type="submit" disabled={enable.isPending}>
            Turn two-factor on
          </button>
        </form>
      )}
      <ErrorMessage error={start.error ?? enable.error} />
    </section>
  );
}
