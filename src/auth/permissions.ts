import { ROLES, type Role } from './roles.ts';

const ALL = ROLES;
const ADMIN = ['administrator'] as const;
const MANAGERS = ['administrator', 'company_manager'] as const;
const ALL_BUT_JUNIOR = ['administrator', 'company_manager', 'marketing_manager', 'sales_manager', 'salesperson'] as const;
const MARKETING = ['administrator', 'company_manager', 'marketing_manager'] as const;
const TEAM_LEADS = ['administrator', 'company_manager', 'marketing_manager', 'sales_manager'] as const;

/**
 * The one permission table: which roles may perform each action. Every route names its action
 * and the guard (src/auth/guard.ts) checks it here; nothing else grants access.
 */
export const PERMISSIONS = {
  'workspace.read': ALL,
  'workspace.manage': ADMIN,
  'members.read': ALL,
  'members.invite': MANAGERS,
  'members.manage': ADMIN,
  'tokens.manage': ADMIN,
  'audit.read': ADMIN,
  // CRM records; which rows a member sees is decided by src/crm/visibility.ts.
  'crm.read': ALL,
  'crm.write': ALL,
  'crm.delete': ALL_BUT_JUNIOR,
  'crm.import': TEAM_LEADS,
  'crm.export': TEAM_LEADS,
  'crm.configure': MANAGERS,
  // Purposes, legal bases and balancing tests: the controller's decisions, recorded by managers or the DPO.
  'purposes.read': ALL,
  'purposes.manage': MANAGERS,
  'forms.manage': MARKETING,
  'campaigns.read': MARKETING,
  'campaigns.manage': MARKETING,
  'campaigns.send': MARKETING,
  'suppressions.manage': MARKETING,
  // Data subject requests: the DPO's queue (and the managers').
  'dsr.read': MANAGERS,
  'dsr.manage': MANAGERS,
  'retention.manage': MANAGERS,
  'incidents.manage': MANAGERS,
  'governance.read': ALL,
  'governance.manage': MANAGERS,
  // Connections to other CRMs: their credentials and what they copy are the managers' decision.
  'integrations.read': TEAM_LEADS,
  'integrations.manage': MANAGERS,
  // Sending one record to a connected CRM (the consent gate decides for people).
  'integrations.push': ALL_BUT_JUNIOR,
  // The dashboard names incidents and request counts: for those who handle them.
  'compliance.read': MANAGERS,
} as const satisfies Record<string, readonly Role[]>;

export type Action = keyof typeof PERMISSIONS;
export const ACTIONS = Object.keys(PERMISSIONS) as Action[];

/** Actions a member flagged as data protection officer may perform whatever their role. */
export const DPO_ACTIONS: readonly Action[] = [
  'audit.read',
  'members.read',
  'workspace.read',
  'purposes.manage',
  'campaigns.read',
  'dsr.read',
  'dsr.manage',
  'retention.manage',
  'incidents.manage',
  'governance.manage',
  'compliance.read',
];

export function roleAllows(role: Role, action: Action): boolean {
  return (PERMISSIONS[action] as readonly Role[]).includes(role);
}

export function memberAllows(member: { role: Role; isDpo: boolean }, action: Action): boolean {
  return roleAllows(member.role, action) || (member.isDpo && DPO_ACTIONS.includes(action));
}

export function isAction(value: string): value is Action {
  return Object.hasOwn(PERMISSIONS, value);
}

/** What the route guard checks, for a decision inside a route: the member's role and, for an API token, its scopes. */
export function callerAllows(auth: { role: Role; isDpo: boolean; scopes: readonly string[] | null }, action: Action): boolean {
  return memberAllows(auth, action) && (!auth.scopes || auth.scopes.includes(action));
}
