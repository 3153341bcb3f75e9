import type { AppContext } from '../app-context.ts';
import { withTenant } from '../db/tenant.ts';
import { withoutAddresses } from '../shared/redact.ts';
import { connectorOf } from './connectors.ts';

/**
 * Art. 15 across the connected CRMs: for an access request, each CRM the workspace syncs with is
 * asked, through its connector, for the records it holds on the person: those linked to the
 * person's records by a sync, and those it holds under the person's e-mail address (the same
 * identifier), linked or not, for the objects the integration syncs. The answer goes into the
 * report as a section per recipient with the time of the lookup; a CRM that cannot be reached is
 * reported as such, never left out.
 */
export interface ConnectedLookup {
  integrationId: string;
  label: string;
  kind: string;
  lookedUpAt: string;
  state: 'found' | 'not_found' | 'unreachable' | 'not_linked';
  records: Array<{ object: string; externalId: string; matchedBy: 'link' | 'email'; fields: Record<string, unknown> }>;
  /** Why the CRM could not be asked or did not answer. */
  error: string | null;
  note: string;
}

const NOTES: Record<ConnectedLookup['state'], (label: string) => string> = {
  found: (label) => `${label} holds the records below, linked to yours or held under your e-mail address.`,
  not_found: (label) => `${label} no longer holds the records once linked to yours (deleted there), nor any under your e-mail address.`,
  unreachable: (label) => `${label} could not be asked: what it holds could not be included. We will send it when it answers.`,
  not_linked: (label) => `No record of yours is linked in ${label}, and it holds none under your e-mail address.`,
};

/** A request waits on the lookup: its retries wait a quarter of a second at most, not the sync's minutes. */
const briefly = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.min(ms, 250)));

export async function lookUpInConnectedCrms(
  app: AppContext,
  tenantId: string,
  subject: { email: string; personIds: string[] },
): Promise<ConnectedLookup[]> {
  const { personIds } = subject;
  const { integrations, links } = await withTenant(app.db, tenantId, async (tx) => ({
    integrations: await tx
      .selectFrom('integrations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('status', 'in', ['active', 'needs_reconnect'])
      .where('kind', '!=', 'csv')
      .orderBy('created_at')
      .execute(),
    links:
      personIds.length === 0
        ? []
        : await tx
            .selectFrom('sync_links')
            .select(['integration_id', 'object', 'external_id'])
            .where('tenant_id', '=', tenantId)
            .where('record_type', 'in', ['contact', 'lead'])
            .where('record_id', 'in', personIds)
            .orderBy('object')
            .orderBy('external_id')
            .execute(),
  }));
  const lookups: ConnectedLookup[] = [];
  for (const integration of integrations) {
    const own = links.filter((link) => link.integration_id === integration.id);
    const lookup: ConnectedLookup = {
      integrationId: integration.id,
      label: integration.label,
      kind: integration.kind,
      lookedUpAt: new Date().toISOString(),
      state: own.length === 0 ? 'not_linked' : 'not_found',
      records: [],
      error: null,
      note: '',
    };
    try {
      if (integration.status === 'needs_reconnect')
        throw new Error(`the connection needs reconnecting (${integration.status_reason ?? 'credentials refused'})`);
      const connector = await withTenant(app.db, tenantId, (tx) => connectorOf(app, tx, integration, { sleep: briefly }));
      for (const link of own) {
        const record = await connector.get(link.object, link.external_id);
        if (record) lookup.records.push({ object: link.object, externalId: record.id, matchedBy: 'link', fields: record.fields });
      }
      const byEmail = connector.findByEmail ? await connector.findByEmail(subject.email, integration.objects) : [];
      for (const { object, record } of byEmail) {
        if (lookup.records.some((held) => held.object === object && held.externalId === record.id)) continue;
        lookup.records.push({ object, externalId: record.id, matchedBy: 'email', fields: record.fields });
      }
      if (lookup.records.length > 0) lookup.state = 'found';
    } catch (error) {
      lookup.state = 'unreachable';
      lookup.records = [];
      lookup.error = withoutAddresses(error instanceof Error ? error.message : String(error)).slice(0, 300);
    }
    lookup.lookedUpAt = new Date().toISOString();
    lookup.note = NOTES[lookup.state](integration.label);
    lookups.push(lookup);
  }
  return lookups;
}
