import { lazy, Suspense, type ReactNode } from 'react';
import type { Schemas } from './api/client.ts';
import { CampaignsPage } from './features/campaigns/CampaignsPage.tsx';
import { OutboxPage } from './features/campaigns/OutboxPage.tsx';
import { SuppressionsPage } from './features/campaigns/SuppressionsPage.tsx';
import { PurposesPage } from './features/consent/PurposesPage.tsx';
import { AccountPage } from './features/account/AccountPage.tsx';
import { ApiTokensPage } from './features/admin/ApiTokensPage.tsx';
import { MembersPage } from './features/admin/MembersPage.tsx';
import { SettingsPage } from './features/admin/SettingsPage.tsx';
import { AuditLogPage } from './features/audit/AuditLogPage.tsx';
import { CustomFieldsPage } from './features/custom-fields/CustomFieldsPage.tsx';
import type { Viewer } from './features/admin/viewer.ts';
import { ImportWizard } from './features/import/ImportWizard.tsx';
import { FormsPage } from './features/forms/FormsPage.tsx';
import { CompliancePage } from './features/governance/CompliancePage.tsx';
import { DpiasPage } from './features/governance/DpiasPage.tsx';
import { IncidentsPage } from './features/governance/IncidentsPage.tsx';
import { RegisterPage } from './features/governance/RegisterPage.tsx';
import { SubprocessorsPage } from './features/governance/SubprocessorsPage.tsx';
import { NoticesPage } from './features/notices/NoticesPage.tsx';
import { TrainingPage } from './features/governance/TrainingPage.tsx';
import { IntegrationsPage } from './features/integrations/IntegrationsPage.tsx';
import { AccountDetail } from './features/records/AccountDetail.tsx';
import { ContactDetail } from './features/records/ContactDetail.tsx';
import { LeadDetail } from './features/records/LeadDetail.tsx';
import { ListPage } from './features/records/ListPage.tsx';
import { OBJECTS, type ObjectSpec } from './features/records/objects.ts';
import { OpportunityDetail } from './features/records/OpportunityDetail.tsx';
import type { CrmRecord } from './features/records/recordApis.ts';
import { TasksPage } from './features/tasks/TasksPage.tsx';
import { PipelineBoard } from './features/pipeline/PipelineBoard.tsx';
import { RequestPage } from './features/requests/RequestPage.tsx';
import { RequestsPage } from './features/requests/RequestsPage.tsx';
import { RetentionPage } from './features/retention/RetentionPage.tsx';
import type { RoutePath } from './routeTable.ts';
import { NotFound } from './ui/NotFound.tsx';

/** The charts library is loaded with the dashboard only, not with every page. */
const SalesDashboardPage = lazy(() =>
  import('./features/dashboard/SalesDashboardPage.tsx').then((module) => ({ default: module.SalesDashboardPage })),
);

export type Session = Schemas['SessionInfo'];

export interface RouteContext {
  session: Session;
  viewer: Viewer;
  /** The path after the route's own segment: #/contacts/123 gives ['123']. */
  rest: string[];
  refreshSession: () => void;
}

type Detail = (props: { id: string; memberId: string }) => ReactNode;

/** A record's page for #/contacts/123, the list otherwise (with the form of a new one for #/contacts/new). */
const records =
  <R extends CrmRecord>(spec: ObjectSpec<R>, RecordDetail: Detail) =>
  ({ session, viewer, rest: [id] }: RouteContext) =>
    id && id !== 'new' ? (
      <RecordDetail id={id} memberId={session.member.id} />
    ) : (
      <ListPage spec={spec} creating={id === 'new'} viewer={viewer} />
    );

/** The page of every path of the route table (routeTable.ts); the compiler refuses a path without one. */
export const PAGES: Record<RoutePath, (context: RouteContext) => ReactNode> = {
  accounts: records(OBJECTS.accounts, AccountDetail),
  contacts: records(OBJECTS.contacts, ContactDetail),
  leads: records(OBJECTS.leads, LeadDetail),
  opportunities: records(OBJECTS.opportunities, OpportunityDetail),
  board: ({ session }) => <PipelineBoard memberId={session.member.id} />,
  dashboard: () => (
    <Suspense fallback={<main className="muted">Loading…</main>}>
      <SalesDashboardPage />
    </Suspense>
  ),
  tasks: ({ session }) => <TasksPage memberId={session.member.id} />,
  integrations: ({ viewer }) => <IntegrationsPage canManage={viewer.can('integrations.manage')} />,
  import: ({ rest: [object] }) =>
    object && object in OBJECTS ? <ImportWizard key={object} object={object as keyof typeof OBJECTS} /> : <NotFound />,
  requests: ({ rest: [id] }) => (id ? <RequestPage id={id} /> : <RequestsPage />),
  notices: ({ viewer }) => <NoticesPage canSend={viewer.can('dsr.manage')} />,
  purposes: ({ session, viewer }) => <PurposesPage memberId={session.member.id} canManage={viewer.can('purposes.manage')} />,
  retention: () => <RetentionPage />,
  forms: () => <FormsPage />,
  campaigns: () => <CampaignsPage />,
  outbox: () => <OutboxPage />,
  suppressions: () => <SuppressionsPage />,
  compliance: () => <CompliancePage />,
  register: ({ viewer }) => <RegisterPage canManage={viewer.can('governance.manage')} />,
  dpias: ({ viewer }) => <DpiasPage canManage={viewer.can('governance.manage')} />,
  subprocessors: ({ session, viewer }) => (
    <SubprocessorsPage canManage={viewer.can('governance.manage')} workspaceSlug={session.workspace.slug} />
  ),
  incidents: () => <IncidentsPage />,
  training: ({ viewer }) => <TrainingPage canManage={viewer.can('governance.manage')} />,
  members: ({ viewer }) => <MembersPage viewer={viewer} />,
  'api-tokens': ({ viewer, session }) => <ApiTokensPage viewer={viewer} permissions={session.permissions} />,
  settings: ({ session }) => <SettingsPage totpEnabled={session.user.totpEnabled} />,
  audit: () => <AuditLogPage />,
  'custom-fields': () => <CustomFieldsPage />,
  account: ({ session, refreshSession }) => <AccountPage session={session} onSessionChanged={refreshSession} />,
};
