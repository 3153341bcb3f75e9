import { suppress } from '../campaigns/suppressions.ts';
import { enqueue } from '../jobs/queue.ts';
import { queueErasureInConnectedCrms } from '../sync/erasure.ts';
import { sql } from 'kysely';
import type { AppContext } from '../app-context.ts';
import type { Tx } from '../db/tenant.ts';
import type { PersonType } from '../db/types-consent.ts';
import { PERSON_REFERENCES, workspaceInventory, type SubjectLink } from '../inventory/inventory.ts';
import { rowsOfSubject, type Subject } from './subject.ts';

export interface ErasureResult {
  /** Rows deleted per table. */
  deleted: Record<string, number>;
  /** Data keys destroyed (one per person record): every copy of their fields, backups included, is unreadable. */
  keysDestroyed: number;
  /** Records kept, and why (Art. 17(3)). */
  kept: Array<{ type: string; id: string; reason: string }>;
}

/** Rows about a person go before the person's own records; the request's evidence is part of it. */
const ORDER: Record<SubjectLink['kind'], number> = { record: 0, person_column: 0, via: 1, email_index: 2, self: 3 };

/**
 * People whose record must be kept despite the request (Art. 17(3)): a record under legal hold,
 * or a contact a won deal names (an open contract). They are reported, and restricted instead
 * of erased.
 */
async function exceptions(tx: Tx, tenantId: string, subject: Subject): Promise<Array<{ type: PersonType; id: string; reason: string }>> {
  const kept = new Map<string, { type: PersonType; id: string; reason: string }>();
  const ids = subject.people.map((person) => person.id);
  if (ids.length === 0) return [];
  const holds = await tx
    .selectFrom('legal_holds')
    .select(['record_type', 'record_id', 'reason'])
    .where('tenant_id', '=', tenantId)
    .where('record_id', 'in', ids)
    .where('released_at', 'is', null)
    .execute();
  for (const hold of holds)
    kept.set(hold.record_id, { type: hold.record_type, id: hold.record_id, reason: `under legal hold: ${hold.reason}` });
  const contacts = subject.people.filter((person) => person.type === 'contact' && !kept.has(person.id)).map((person) => person.id);
  if (contacts.length > 0) {
    const deals = await tx
      .selectFrom('opportunity_contacts as oc')
      .innerJoin('opportunities as o', (join) => join.onRef('o.tenant_id', '=', 'oc.tenant_id').onRef('o.id', '=', 'oc.opportunity_id'))
      .select(['oc.contact_id', 'o.name'])
      .where('oc.tenant_id', '=', tenantId)
      .where('oc.contact_id', 'in', contacts)
      .where('o.stage', '=', 'closed_won')
      .execute();
    for (const deal of deals)
      if (!kept.has(deal.contact_id))
        kept.set(deal.contact_id, { type: 'contact', id: deal.contact_id, reason: `party to the won deal "${deal.name}" (contract)` });
  }
  return [...kept.values()];
}

/**
 * Deletes, as the inventory declares, every row about the people of a subject (their own
 * records unless keepOwnRecords, rows about them, rows pointing at them). Shared by erasure and
 * by retention's delete and anonymise. Returns rows deleted per table.
 */
export async function removePersonalRows(
  tx: Tx,
  tenantId: string,
  subject: Subject,
  options: { spareRequest: string | null; keepOwnRecords: boolean },
): Promise<Record<string, number>> {
  const deleted: Record<string, number> = {};
  const remove = async (table: string, link: SubjectLink, sparedRequest: string | null) => {
    const spare = sparedRequest && link.kind === 'via' ? sql`and ${sql.ref(`${table}.${link.column}`)} <> ${sparedRequest}` : sql``;
    const result =
      await sql`delete from ${sql.table(table)} where ${sql.ref(`${table}.tenant_id`)} = ${tenantId} and ${rowsOfSubject(table, link, subject)} ${spare}`.execute(
        tx,
      );
    deleted[table] = (deleted[table] ?? 0) + Number(result.numAffectedRows ?? 0);
  };
  for (const reference of PERSON_REFERENCES) await remove(reference.table, reference.link, null);
  const tables = new Map<string, { link: SubjectLink; spare: string | null }>();
  for (const entry of await workspaceInventory(tx, tenantId)) {
    const action = entry.onErasure ?? 'delete';
    if (entry.subject !== 'data_subject' || !entry.link || (action !== 'delete' && action !== 'delete_other_requests')) continue;
    if (options.keepOwnRecords && entry.link.kind === 'self') continue;
    tables.set(entry.table, { link: entry.link, spare: action === 'delete_other_requests' ? options.spareRequest : null });
  }
  for (const [table, { link, spare }] of [...tables].sort((a, b) => ORDER[a[1].link.kind] - ORDER[b[1].link.kind]))
    await remove(table, link, spare);
  return deleted;
}

/** A contact's leads (those converted into it): the same person, known under the same or other identifiers. */
async function withConvertedLeads(tx: Tx, tenantId: string, subject: Subject): Promise<Subject> {
  const contacts = subject.people.filter((person) => person.type === 'contact').map((person) => person.id);
  if (contacts.length === 0) return subject;
  const known = new Set(subject.people.map((person) => person.id));
  const leads = await tx
    .selectFrom('leads')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('converted_contact_id', 'in', contacts)
    .execute();
  return {
    ...subject,
    people: [...subject.people, ...leads.filter((lead) => !known.has(lead.id)).map((lead) => ({ type: 'lead' as const, id: lead.id }))],
  };
}

/** Every address and phone number the people were known by (blind indexes), read before their rows go. */
async function identifiersOf(tx: Tx, tenantId: string, people: Subject['people']): Promise<{ emails: string[]; phones: string[] }> {
  const emails = new Set<string>();
  const phones = new Set<string>();
  const ids = (type: PersonType) => people.filter((person) => person.type === type).map((person) => person.id);
  if (ids('contact').length > 0) {
    for (const row of await tx
      .selectFrom('contacts')
      .select(['email_index', 'phone_index'])
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', ids('contact'))
      .execute()) {
      row.email_index.forEach((index) => emails.add(index));
      (row.phone_index ?? []).forEach((index) => phones.add(index));
    }
  }
  if (ids('lead').length > 0) {
    for (const row of await tx
      .selectFrom('leads')
      .select(['email_index', 'phone_index'])
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', ids('lead'))
      .execute()) {
      if (row.email_index) emails.add(row.email_index);
      if (row.phone_index) phones.add(row.phone_index);
    }
  }
  return { emails: [...emails], phones: [...phones] };
}

export const VACUUM_QUEUE = 'erasure.vacuum';

/**
 * A deleted row stays in the table's files as a dead tuple until VACUUM removes it, clear-text
 * columns (country, region) included. The tables an erasure touched are vacuumed by a job a
 * minute later (one job per workspace however many erasures a batch makes): see src/rights/vacuum.ts.
 */
async function queueVacuum(tx: Tx, tenantId: string, tables: string[]): Promise<void> {
  if (tables.length === 0) return;
  await enqueue(tx, {
    queue: VACUUM_QUEUE,
    tenantId,
    payload: { tables },
    runAt: new Date(Date.now() + 60_000),
    singletonKey: `${VACUUM_QUEUE}:${tenantId}:${tables.sort().join(',')}`,
  });
}

/**
 * Erasure (Art. 17), driven by the data inventory and done in the caller's transaction: every
 * row the inventory ties to the person is deleted (append-only records keep only the fact, their
 * personal columns being encrypted under the person's key), the tables that merely point at the
 * person are cleared, every data key of the person is destroyed, and tombstones (the keyed hashes
 * of every address and phone they were known by) are left so that any of them coming back is flagged.
 */
export async function eraseSubject(
  app: AppContext,
  tx: Tx,
  tenantId: string,
  requested: Subject,
  requestId: string | null,
): Promise<ErasureResult> {
  const subject = await withConvertedLeads(tx, tenantId, requested);
  const kept = await exceptions(tx, tenantId, subject);
  const keptIds = new Set(kept.map((row) => row.id));
  const erasable: Subject = { ...subject, people: subject.people.filter((person) => !keptIds.has(person.id)) };
  for (const row of kept) {
    await tx
      .insertInto('processing_restrictions')
      .values({
        tenant_id: tenantId,
        person_id: row.id,
        person_type: row.type,
        reason: `Erasure requested; kept: ${row.reason}`,
        restricted_by: 'erasure',
      })
      .onConflict((c) => c.columns(['tenant_id', 'person_id']).doNothing())
      .execute();
  }

  await queueErasureInConnectedCrms(tx, tenantId, erasable.people, requestId);
  const identifiers = await identifiersOf(tx, tenantId, erasable.people);
  const deleted = await removePersonalRows(tx, tenantId, erasable, { spareRequest: requestId, keepOwnRecords: false });

  let keysDestroyed = 0;
  for (const person of erasable.people) if (await app.keys.destroySubjectKey(tx, tenantId, person.id)) keysDestroyed += 1;
  // Without SMTP, the messages to the person also sit in the outbox folder, in clear.
  // (A restore replays erasures with no mailer: src/backup/erasure-replay.ts.)
  await app.mailer?.forget?.([...erasable.people.map((person) => person.id), ...(kept.length === 0 ? [subject.emailIndex] : [])]);
  if (kept.length === 0) {
    // Every identifier is tombstoned, so the person coming back under any of them is flagged, and
    // every address is suppressed: the erasure's refusal of marketing follows each of them.
    const emails = [...new Set([subject.emailIndex, ...identifiers.emails])].filter(Boolean);
    const tombstones = [
      ...emails.map((index) => ({ index, kind: 'email' as const })),
      ...identifiers.phones.map((index) => ({ index, kind: 'phone' as const })),
    ];
    if (tombstones.length > 0) {
      await tx
        .insertInto('erasure_tombstones')
        .values(tombstones.map(({ index, kind }) => ({ tenant_id: tenantId, email_index: index, kind, request_id: requestId })))
        .onConflict((c) => c.columns(['tenant_id', 'email_index']).doUpdateSet({ request_id: requestId, erased_at: new Date() }))
        .execute();
    }
    await suppress(tx, tenantId, emails, 'erased', requestId ? `erasure request ${requestId}` : 'erasure');
  }
  await queueVacuum(
    tx,
    tenantId,
    Object.keys(deleted).filter((table) => deleted[table]! > 0),
  );
  return { deleted, keysDestroyed, kept };
}
