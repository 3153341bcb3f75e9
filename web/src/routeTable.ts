/**
 * The one route table: the navigation, the choice of page (routes.tsx gives each path its page)
 * and the permission check are all drawn from it, and the accessibility test walks it.
 */
export type NavGroup = 'Sales' | 'Privacy and marketing' | 'Accountability' | 'Administration' | 'Account';

export interface RouteEntry {
  path: string;
  title: string;
  group: NavGroup;
  /** The action the server checks for this page's main read: the page is neither listed nor opened without it. */
  permission?: string;
  /** Reached by links from other pages, not listed in the navigation. */
  hidden?: boolean;
  /** A full path to visit the page with, when the path alone does not open it. */
  example?: string;
}

export const ROUTE_TABLE = [
  { path: 'accounts', title: 'Accounts', group: 'Sales' },
  { path: 'contacts', title: 'Contacts', group: 'Sales' },
  { path: 'leads', title: 'Leads', group: 'Sales' },
  { path: 'opportunities', title: 'Opportunities', group: 'Sales' },
  { path: 'board', title: 'Pipeline', group: 'Sales' },
  { path: 'dashboard', title: 'Dashboard', group: 'Sales' },
  { path: 'tasks', title: 'My tasks', group: 'Sales' },
  { path: 'integrations', title: 'CRM sync', group: 'Sales', permission: 'integrations.read' },
  { path: 'import', title: 'Import', group: 'Sales', permission: 'crm.import', hidden: true, example: 'import/contacts' },
  { path: 'requests', title: 'Requests', group: 'Privacy and marketing', permission: 'dsr.read' },
  { path: 'notices', title: 'Art. 14 notices', group: 'Privacy and marketing', permission: 'dsr.read' },
  { path: 'purposes', title: 'Purposes', group: 'Privacy and marketing' },
  { path: 'retention', title: 'Retention', group: 'Privacy and marketing', permission: 'retention.manage' },
  { path: 'forms', title: 'Forms', group: 'Privacy and marketing', permission: 'forms.manage' },
  { path: 'campaigns', title: 'Campaigns', group: 'Privacy and marketing', permission: 'campaigns.read' },
  { path: 'outbox', title: 'Outbox', group: 'Privacy and marketing', permission: 'campaigns.read' },
  { path: 'suppressions', title: 'Suppression list', group: 'Privacy and marketing', permission: 'campaigns.read' },
  { path: 'compliance', title: 'Compliance', group: 'Accountability', permission: 'compliance.read' },
  { path: 'register', title: 'Register', group: 'Accountability' },
  { path: 'dpias', title: 'Impact assessments', group: 'Accountability' },
  { path: 'subprocessors', title: 'Sub-processors', group: 'Accountability' },
  { path: 'incidents', title: 'Incidents', group: 'Accountability', permission: 'incidents.manage' },
  { path: 'training', title: 'Training', group: 'Accountability' },
  { path: 'members', title: 'Members', group: 'Administration', permission: 'members.read' },
  { path: 'api-tokens', title: 'API tokens', group: 'Administration', permission: 'tokens.manage' },
  { path: 'settings', title: 'Settings', group: 'Administration', permission: 'workspace.manage' },
  { path: 'custom-fields', title: 'Custom fields', group: 'Administration', permission: 'crm.configure' },
  { path: 'audit', title: 'Audit log', group: 'Administration', permission: 'audit.read' },
  { path: 'account', title: 'My account', group: 'Account' },
] as const satisfies readonly RouteEntry[];

export type RoutePath = (typeof ROUTE_TABLE)[number]['path'];

export const DEFAULT_ROUTE: RoutePath = 'contacts';

export function routeOf(path: string): RouteEntry | undefined {
  return ROUTE_TABLE.find((route) => route.path === path);
}
