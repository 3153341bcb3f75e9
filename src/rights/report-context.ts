import type { AppContext } from '../app-context.ts';
import type { Tx } from '../db/tenant.ts';
import { openValue, type Subject } from './subject.ts';

/**
 * The parts of the access report (Art. 15) that are about the person without being personal-data
 * columns of the inventory: the records they are linked to, what non-personal fields say about
 * them, to whom their data went, every time someone saw it, and the e-mails about their requests.
 */

export interface RecordContext {
  /** The accounts (employers) their contacts belong to. */
  accounts: Array<{ contactId: string; accountId: string; name: string }>;
  /** The deals their contacts take part in. */
  opportunities: Array<{ id: string; contactId: string; name: string; amount: string | null; currency: string; stage: string }>;
  /** What their leads say besides personal fields: company, status, source. */
  leads: Array<{ id: string; companyName: string | null; status: string; source: string | null }>;
  /** Values of custom fields not flagged personal, on their records. */
  customFields: Array<{ recordType: string; recordId: string; key: string; label: string; value: unknown }>;
}

export interface Disclosure {
  recipient: string;
  how: string;
  record: { type: string; id: string };
  at: string;
}

export interface RecordRead {
  at: string;
  action: string;
  actorType: string;
  objectType: string | null;
  objectId: string | null;
}

const byType = (subject: Subject, type: 'contact' | 'lead') =>
  subject.people.filter((person) => person.type === type).map((person) => person.id);

export async function recordContext(tx: Tx, tenantId: string, subject: Subject): Promise<RecordContext> {
  const contacts = byType(subject, 'contact');
  const leads = byType(subject, 'lead');
  const context: RecordContext = { accounts: [], opportunities: [], leads: [], customFields: [] };
  const fields = await tx
    .selectFrom('custom_fields')
    .select(['object', 'key', 'label'])
    .where('tenant_id', '=', tenantId)
    .where('personal', '=', false)
    .execute();
  const customOf = (recordType: string, recordId: string, custom: unknown) => {
    const values = (custom ?? {}) as Record<string, unknown>;
    for (const field of fields) {
      if (field.object === recordType && values[field.key] !== undefined && values[field.key] !== null) {
        context.customFields.push({ recordType, recordId, key: field.key, label: field.label, value: values[field.key] });
      }
    }
  };
  if (contacts.length > 0) {
    const rows = await tx
      .selectFrom('contacts as c')
      .leftJoin('accounts as a', (join) => join.onRef('a.tenant_id', '=', 'c.tenant_id').onRef('a.id', '=', 'c.account_id'))
      .select(['c.id', 'c.custom', 'a.id as account_id', 'a.name as account_name'])
      .where('c.tenant_id', '=', tenantId)
      .where('c.id', 'in', contacts)
      .execute();
    for (const row of rows) {
      if (row.account_id) context.accounts.push({ contactId: row.id, accountId: row.account_id, name: row.account_name! });
      customOf('contact', row.id, row.custom);
    }
    const deals = await tx
      .selectFrom('opportunity_contacts as oc')
      .innerJoin('opportunities as o', (join) => join.onRef('o.tenant_id', '=', 'oc.tenant_id').onRef('o.id', '=', 'oc.opportunity_id'))
      .select(['o.id', 'oc.contact_id', 'o.name', 'o.amount', 'o.currency', 'o.stage'])
      .where('oc.tenant_id', '=', tenantId)
      .where('oc.contact_id', 'in', contacts)
      .orderBy('o.name')
      .execute();
    for (const deal of deals) {
      context.opportunities.push({
        id: deal.id,
        contactId: deal.contact_id,
        name: deal.name,
        amount: deal.amount === null ? null : String(deal.amount),
        currency: deal.currency,
        stage: deal.stage,
      });
    }
  }
  if (leads.length > 0) {
    const rows = await tx
      .selectFrom('leads')
      .select(['id', 'company_name', 'status', 'source', 'custom'])
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', leads)
      .execute();
    for (const row of rows) {
      context.leads.push({ id: row.id, companyName: row.company_name, status: row.status, source: row.source });
      customOf('lead', row.id, row.custom);
    }
  }
  return context;
}

/** Every other CRM the person's records were pushed to, and when last (Art. 15(1)(c)). */
export async function disclosures(tx: Tx, tenantId: string, ids: string[]): Promise<Disclosure[]> {
  if (ids.length === 0) return [];
  const rows = await tx
    .selectFrom('sync_links as l')
    .innerJoin('integrations as i', (join) => join.onRef('i.tenant_id', '=', 'l.tenant_id').onRef('i.id', '=', 'l.integration_id'))
    .select(['i.label', 'i.kind', 'l.record_type', 'l.record_id', 'l.synced_at'])
    .where('l.tenant_id', '=', tenantId)
    .where('l.record_id', 'in', ids)
    .where('l.match_rule', '=', 'pushed')
    .orderBy('l.synced_at')
    .execute();
  return rows.map((row) => ({
    recipient: `${row.label} (${row.kind})`,
    how: 'pushed to a connected CRM',
    record: { type: row.record_type, id: row.record_id },
    at: new Date(row.synced_at).toISOString(),
  }));
}

/** The lists and searches that showed the person, and the exports that included them. */
export async function readsOf(tx: Tx, tenantId: string, ids: string[]): Promise<RecordRead[]> {
  if (ids.length === 0) return [];
  const listed = await tx.selectFrom('record_reads').selectAll().where('tenant_id', '=', tenantId).where('person_id', 'in', ids).execute();
  const exported = await tx
    .selectFrom('export_items')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('person_id', 'in', ids)
    .execute();
  return [
    ...listed.map((row) => ({
      at: new Date(row.read_at).toISOString(),
      action: row.searched ? `${row.action} (search)` : row.action,
      actorType: row.actor_type,
      objectType: row.person_type,
      objectId: row.person_id,
    })),
    ...exported.map((row) => ({
      at: new Date(row.exported_at).toISOString(),
      action: `${row.person_type}.export`,
      actorType: 'staff',
      objectType: row.person_type,
      objectId: row.person_id,
    })),
  ];
}

/** The e-mails sent to the person about their requests (receipts, extensions, answers). */
export async function requestEmails(
  app: AppContext,
  tx: Tx,
  tenantId: string,
  requestIds: string[],
): Promise<Array<{ requestId: string; subject: string | null; sentAt: string }>> {
  if (requestIds.length === 0) return [];
  const rows = await tx
    .selectFrom('email_messages')
    .select(['person_id', 'subject_enc', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('person_id', 'in', requestIds)
    .orderBy('created_at')
    .execute();
  const out = [];
  for (const row of rows) {
    out.push({
      requestId: row.person_id,
      subject: (await openValue(app, tx, tenantId, 'email_messages.subject', row.subject_enc)) as string | null,
      sentAt: new Date(row.created_at).toISOString(),
    });
  }
  return out;
}
