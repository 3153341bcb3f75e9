import type { Schemas } from '../../api/client.ts';
import { PasswordForm } from './PasswordForm.tsx';
import { SessionsList } from './SessionsList.tsx';
import { TwoFactorPanel } from './TwoFactorPanel.tsx';

/**
 * My account. When the workspace requires two-factor from Administrators and this one has none,
 * it is the only page they can reach, and it says why.
 */
export function AccountPage({ session, onSessionChanged }: { session: Schemas['SessionInfo']; onSessionChanged: () => void }) {
  return (
    <main>
      <h1>My account</h1>
      <p>
        {session.user.name} · {session.user.email}
      </p>
      {session.mfaEnrollmentRequired && (
        <p className="notice" role="alert">
          This workspace requires two-factor authentication for your role. Set it up below to use the rest of the app.
        </p>
      )}
      <TwoFactorPanel enabled={session.user.totpEnabled} onChanged={onSessionChanged} />
      {!session.mfaEnrollmentRequired && (
        <>
          <PasswordForm />
          <SessionsList />
        </>
      )}
    </main>
  );
}
