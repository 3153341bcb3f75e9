import type { AppContext } from '../app-context.ts';
import type { Tx } from '../db/tenant.ts';
import { buildRegister, type Register } from '../governance/register.ts';
import type { NoticeFacts } from './compose.ts';

const BASES: Record<string, string> = {
  consent: 'your consent (Art. 6(1)(a))',
  contract: 'a contract with you, or steps before one at your request (Art. 6(1)(b))',
  legal_obligation: 'a legal obligation (Art. 6(1)(c))',
  legitimate_interest: 'our legitimate interests in the purpose just named (Art. 6(1)(f))',
  vital_interest: 'vital interests (Art. 6(1)(d))',
  public_task: 'a task in the public interest (Art. 6(1)(e))',
};

/** A source as the workspace registered it (notice_sources), exemption included. */
export interface RegisteredSource {
  source_type: string;
  source_ref: string | null;
  label: string;
  publicly_accessible: boolean;
  exemption: string | null;
}

/** The registered entry for a notice's source: its own, else the one for every source of its type. */
export function registeredSource(sources: RegisteredSource[], type: string, ref: string | null): RegisteredSource | undefined {
  return (
    sources.find((s) => s.source_type === type && s.source_ref !== null && s.source_ref === ref) ??
    sources.find((s) => s.source_type === type && s.source_ref === null)
  );
}

export async function registeredSources(tx: Tx, tenantId: string): Promise<RegisteredSource[]> {
  return tx
    .selectFrom('notice_sources')
    .select(['source_type', 'source_ref', 'label', 'publicly_accessible', 'exemption'])
    .where('tenant_id', '=', tenantId)
    .execute();
}

/** The workspace's connections by id, for naming a connector source. */
export async function integrationNames(tx: Tx, tenantId: string): Promise<Map<string, { label: string; kind: string }>> {
  const rows = await tx.selectFrom('integrations').select(['id', 'label', 'kind']).where('tenant_id', '=', tenantId).execute();
  return new Map(rows.map((i) => [i.id, { label: i.label, kind: i.kind }]));
}

/** How a notice names a source the workspace has not described itself. */
export function defaultSourceLabel(type: string, ref: string | null, integrations: Map<string, { label: string; kind: string }>): string {
  switch (type) {
    case 'import':
      return ref ? `a list imported by our staff (the file "${ref.split('#')[0]}")` : 'a list imported by our staff';
    case 'connector': {
      const integration = ref ? integrations.get(ref) : undefined;
      return integration ? `${integration.label}, our ${integration.kind} CRM` : 'another CRM of ours';
    }
    case 'third_party':
      return ref ? `a third-party provider (${ref})` : 'a third-party provider';
    case 'api':
      return 'another of our systems, through our API';
    case 'form':
      return 'you, through one of our web forms';
    default:
      return 'details entered by our staff (for example from a business card or a conversation)';
  }
}

/** Names sources as notices do: each source's registered entry, and its label (registered, else the default). */
export async function sourceNamer(tx: Tx, tenantId: string) {
  const sources = await registeredSources(tx, tenantId);
  const integrations = await integrationNames(tx, tenantId);
  return (type: string, ref: string | null) => {
    const source = registeredSource(sources, type, ref);
    return { source, label: source?.label ?? defaultSourceLabel(type, ref, integrations) };
  };
}

/**
 * What every notice of the workspace says whatever the person, from the register (controller,
 * DPO, the controller's activities, their recipients, transfers and retention): read once per
 * batch of notices.
 */
export interface WorkspaceFacts {
  register: Register;
  sources: RegisteredSource[];
  integrations: Map<string, { label: string; kind: string }>;
  portal: string;
  senderEmail: string | null;
}

export async function workspaceFacts(app: AppContext, tx: Tx, tenantId: string): Promise<WorkspaceFacts> {
  const register = await buildRegister(tx, tenantId);
  const tenant = await tx.selectFrom('tenants').select(['slug', 'sender_email']).where('id', '=', tenantId).executeTakeFirstOrThrow();
  return {
    register,
    sources: await registeredSources(tx, tenantId),
    integrations: await integrationNames(tx, tenantId),
    portal: `${app.config.publicUrl}/privacy/${tenant.slug}`,
    senderEmail: tenant.sender_email,
  };
}

/** The facts of one person's notice for one source. */
export function noticeFacts(
  workspace: WorkspaceFacts,
  notice: { source_type: string; source_ref: string | null; obtained_at: Date },
): NoticeFacts {
  const own = workspace.register.activities.filter((activity) => activity.role === 'controller' && activity.id !== 'workspace-members');
  const unique = (values: string[]) => [...new Set(values)];
  const source = registeredSource(workspace.sources, notice.source_type, notice.source_ref);
  const dpo = workspace.register.controller.dpo;
  return {
    controller: workspace.register.controller.name,
    dpo: dpo.length > 0 ? dpo.join(', ') : `none appointed; write to us at ${workspace.senderEmail ?? 'the address this e-mail came from'}`,
    purposes: own.map(
      (activity) => `${activity.name}: ${activity.purpose}. Legal basis: ${BASES[activity.legalBasis] ?? activity.legalBasis}.`,
    ),
    categories: unique(own.flatMap((activity) => activity.categoriesOfData)),
    recipients: unique(own.flatMap((activity) => activity.recipients)),
    transfers: unique(own.flatMap((activity) => activity.transfers)),
    retention: own.map((activity) => `${activity.name}: ${activity.retention}`),
    source: source?.label ?? defaultSourceLabel(notice.source_type, notice.source_ref, workspace.integrations),
    publiclyAccessible: source?.publicly_accessible ?? false,
    obtainedAt: new Date(notice.obtained_at),
    portal: workspace.portal,
  };
}
