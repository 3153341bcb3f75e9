import { useEffect, useState } from 'react';
import { client, setCsrfToken, unwrap } from './api/client.ts';
import { queryClient } from './api/queries.ts';
import { AcceptInvitation, ConfirmSignUp, Login } from './Login.tsx';
import type { Viewer } from './features/admin/viewer.ts';
import { AppNavigation } from './AppNavigation.tsx';
import { Reminders } from './features/tasks/Reminders.tsx';
import { Commands } from './features/palette/Commands.tsx';
import { PAGES, type Session } from './routes.tsx';
import { DEFAULT_ROUTE, routeOf, type RoutePath } from './routeTable.ts';
import { navigate, useRoute } from './router.ts';
import { Forbidden } from './ui/Forbidden.tsx';
import { NotFound } from './ui/NotFound.tsx';

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [section = DEFAULT_ROUTE, ...rest] = useRoute();
  const signedIn = (next: Session) => {
    setCsrfToken(next.csrfToken);
    setSession(next);
    if (!window.location.hash || window.location.hash === '#/') navigate(DEFAULT_ROUTE);
  };
  const refreshSession = () => {
    unwrap(client.GET('/api/v1/auth/session')).then(signedIn, () => setSession(null));
  };
  useEffect(refreshSession, []);

  if (window.location.pathname === '/accept-invitation') return <AcceptInvitation onSignedIn={signedIn} />;
  if (window.location.pathname === '/confirm-signup') return <ConfirmSignUp onSignedIn={signedIn} />;
  if (session === undefined) return <main className="muted">Loading…</main>;
  if (session === null) return <Login onSignedIn={signedIn} />;

  async function logout() {
    await client.POST('/api/v1/auth/logout').catch(() => undefined);
    queryClient.clear();
    setSession(null);
  }
  async function switchTo(slug: string) {
    signedIn(await unwrap(client.POST('/api/v1/auth/switch-workspace', { body: { workspace: slug } })));
    navigate(DEFAULT_ROUTE);
    window.location.reload();
  }

  const viewer: Viewer = { memberId: session.member.id, role: session.member.role, can: (action) => session.permissions.includes(action) };
  // An Administrator the workspace requires two-factor from can only reach the page that enrols it.
  const route = session.mfaEnrollmentRequired ? routeOf('account') : routeOf(section);
  let page;
  if (!route) page = <NotFound />;
  else if (route.permission && !viewer.can(route.permission))
    page = <Forbidden title={route.title} role={session.member.role} permission={route.permission} />;
  else page = PAGES[route.path as RoutePath]({ session, viewer, rest, refreshSession });
  return (
    <div className="shell">
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <AppNavigation session={session} viewer={viewer} current={route?.path} onSwitch={switchTo} onLogout={logout} />
      <div id="content" tabIndex={-1} className="content">
        <Commands memberId={session.member.id} can={viewer.can} />
        {!session.mfaEnrollmentRequired && <Reminders />}
        {page}
      </div>
    </div>
  );
}
