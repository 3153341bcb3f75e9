import { useEffect, useState } from 'react';
import { get, post, setCsrfToken, type Session } from './api.ts';
import { AcceptInvitation, ConfirmSignUp, Login } from './Login.tsx';
import { OBJECTS, type ObjectSpec } from './objects.ts';
import { CampaignsPage, OutboxPage, SuppressionsPage } from './campaigns.tsx';
import { PurposesPage } from './consent.tsx';
import { FormsPage } from './forms.tsx';
import { Board, DetailPage, ListPage, TasksPage } from './pages.tsx';
import { RequestPage, RequestsPage } from './requests.tsx';
import { RetentionPage } from './retention.tsx';
import { IntegrationsPage } from './integrations.tsx';
import { CompliancePage, DpiasPage, IncidentsPage, RegisterPage, SubprocessorsPage, TrainingPage } from './governance.tsx';
import { navigate, useRoute } from './router.ts';
import { ImportWizard } from './features/import/ImportWizard.tsx';

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const route = useRoute();
  const signedIn = (next: Session) => {
    setCsrfToken(next.csrfToken);
    setSession(next);
    if (!window.location.hash || window.location.hash === '#/') navigate('contacts');
  };
  useEffect(() => {
    get<Session>('/api/v1/auth/session').then(signedIn, () => setSession(null));
  }, []);

  if (window.location.pathname === '/accept-invitation') return <AcceptInvitation onSignedIn={signedIn} />;
  if (window.location.pathname === '/confirm-signup') return <ConfirmSignUp onSignedIn={signedIn} />;
  if (session === undefined) return <main className="muted">Loading…</main>;
  if (session === null) return <Login onSignedIn={signedIn} />;

  async function logout() {
    await post('/api/v1/auth/logout').catch(() => undefined);
    setSession(null);
  }
  async function switchTo(slug: string) {
    signedIn(await post<Session>('/api/v1/auth/switch-workspace', { workspace: slug }));
    navigate('contacts');
    window.location.reload();
  }

  const [section = 'contacts', id] = route;
  const spec = (OBJECTS as Record<string, ObjectSpec>)[section];
  let page;
  if (section === 'board') page = <Board />;
  else if (section === 'tasks') page = <TasksPage memberId={session.member.id} />;
  else if (section === 'purposes')
    page = <PurposesPage memberId={session.member.id} canManage={session.permissions.includes('purposes.manage')} />;
  else if (section === 'forms') page = <FormsPage />;
  else if (section === 'campaigns') page = <CampaignsPage />;
  else if (section === 'outbox') page = <OutboxPage />;
  else if (section === 'suppressions') page = <SuppressionsPage />;
  else if (section === 'requests' && id) page = <RequestPage id={id} />;
  else if (section === 'requests') page = <RequestsPage />;
  else if (section === 'retention') page = <RetentionPage />;
  else if (section === 'compliance') page = <CompliancePage />;
  else if (section === 'integrations') page = <IntegrationsPage canManage={session.permissions.includes('integrations.manage')} />;
  else if (section === 'incidents') page = <IncidentsPage />;
  else if (section === 'register') page = <RegisterPage canManage={session.permissions.includes('governance.manage')} />;
  else if (section === 'dpias') page = <DpiasPage canManage={session.permissions.includes('governance.manage')} />;
  else if (section === 'subprocessors')
    page = <SubprocessorsPage canManage={session.permissions.includes('governance.manage')} workspaceSlug={session.workspace.slug} />;
  else if (section === 'training') page = <TrainingPage canManage={session.permissions.includes('governance.manage')} />;
  else if (section === 'import' && id && id in OBJECTS) page = <ImportWizard key={id} object={id as keyof typeof OBJECTS} />;
  else if (spec && id && id !== 'new') page = <DetailPage spec={spec} id={id} memberId={session.member.id} />;
  else if (spec)
    page = (
      <ListPage
        spec={spec}
        creating={id === 'new'}
        canImport={session.permissions.includes('crm.import')}
        canExport={session.permissions.includes('crm.export')}
      />
    );
  else
    page = (
      <main>
        Not found. <a href="#/contacts">Contacts</a>
      </main>
    );

  const can = (action: string) => session.permissions.includes(action);
  const link = (target: string, label: string) => (
    <a href={`#/${target}`} aria-current={section === target ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <div className="shell">
      <nav aria-label="Main">
        <strong className="brand">Lawful CRM</strong>
        <select aria-label="Workspace" value={session.workspace.slug} onChange={(event) => switchTo(event.target.value)}>
          {session.workspaces.map((workspace) => (
            <option key={workspace.id} value={workspace.slug}>
              {workspace.name}
            </option>
          ))}
        </select>
        {link('accounts', 'Accounts')}
        {link('contacts', 'Contacts')}
        {link('leads', 'Leads')}
        {link('opportunities', 'Opportunities')}
        {link('board', 'Pipeline')}
        {link('tasks', 'My tasks')}
        {can('integrations.read') && link('integrations', 'CRM sync')}
        <span className="nav-group">Privacy and marketing</span>
        {can('dsr.read') && link('requests', 'Requests')}
        {link('purposes', 'Purposes')}
        {can('retention.manage') && link('retention', 'Retention')}
        {can('forms.manage') && link('forms', 'Forms')}
        {can('campaigns.read') && link('campaigns', 'Campaigns')}
        {can('campaigns.read') && link('outbox', 'Outbox')}
        {can('campaigns.read') && link('suppressions', 'Suppression list')}
        <span className="nav-group">Accountability</span>
        {can('compliance.read') && link('compliance', 'Compliance')}
        {link('register', 'Register')}
        {link('dpias', 'Impact assessments')}
        {link('subprocessors', 'Sub-processors')}
        {can('incidents.manage') && link('incidents', 'Incidents')}
        {link('training', 'Training')}
        <div className="who">
          <span>{session.user.name}</span>
          <button className="link" onClick={logout}>
            Sign out
          </button>
        </div>
      </nav>
      {page}
    </div>
  );
}
