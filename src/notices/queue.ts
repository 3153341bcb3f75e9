import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { asCaller, type Caller } from '../auth/context.ts';
import { loadPeople } from '../crm/people.ts';
import type { Tx } from '../db/tenant.ts';
import { finishPage, pageBy } from '../http/pagination.ts';
import { iso, isoRequired } from '../shared/dates.ts';
import { sourceNamer } from './facts.ts';
import type { noticeCounts, noticeListQuery, noticeView } from './schema.ts';

/**
 * The Art. 14 queue: who is owed a notice (due, overdue), who was sent one, and whose source is
 * exempt. Only notices of people still held count: a deleted or erased person is owed nothing.
 */

type NoticeView = z.infer<typeof noticeView>;

/** The notice's source carries an Art. 14(5) exemption: its own entry, else the one for its whole type. */
export function exemptSource(): RawBuilder<SqlBool> {
  return sql<SqlBool>`exists (
    select 1 from notice_sources s
     where s.tenant_id = art14_notices.tenant_id and s.source_type = art14_notices.source_type and s.exemption is not null
       and (s.source_ref = art14_notices.source_ref
            or (s.source_ref is null and not exists (
                  select 1 from notice_sources own where own.tenant_id = art14_notices.tenant_id
                     and own.source_type = art14_notices.source_type and own.source_ref = art14_notices.source_ref))))`;
}

/** The person the notice is owed to is still held (a lead converted into a contact is held as that contact). */
export function personHeld(): RawBuilder<SqlBool> {
  return sql<SqlBool>`case art14_notices.person_type
    when 'contact' then exists (select 1 from contacts c where c.tenant_id = art14_notices.tenant_id and c.id = art14_notices.person_id
                                  and c.anonymised_at is null)
    else exists (select 1 from leads l where l.tenant_id = art14_notices.tenant_id and l.id = art14_notices.person_id
                   and l.converted_contact_id is null)
  end`;
}

/** Notices owed and not exempt, of people still held: those the sender and the campaigns carry. */
export function owedNotices(tx: Tx, tenantId: string) {
  return tx
    .selectFrom('art14_notices')
    .selectAll('art14_notices')
    .where('art14_notices.tenant_id', '=', tenantId)
    .where('art14_notices.sent_at', 'is', null)
    .where((eb) => eb.not(exemptSource()))
    .where(personHeld());
}

export async function listNotices(app: AppContext, caller: Caller, query: z.infer<typeof noticeListQuery>) {
  const tenantId = caller.auth.tenantId;
  return asCaller(app, caller, async (tx) => {
    const state = query.state ?? 'owed';
    let q = tx
      .selectFrom('art14_notices')
      .selectAll('art14_notices')
      .select(exemptSource().as('exempt'))
      .where('art14_notices.tenant_id', '=', tenantId)
      .where(personHeld());
    if (query.personId) q = q.where('art14_notices.person_id', '=', query.personId);
    if (state === 'sent') q = q.where('art14_notices.sent_at', 'is not', null);
    else {
      q = q.where('art14_notices.sent_at', 'is', null);
      q = state === 'exempt' ? q.where(exemptSource()) : q.where((eb) => eb.not(exemptSource()));
      if (state === 'due') q = q.where('art14_notices.due_at', '>', sql<Date>`now()`);
      if (state === 'overdue') q = q.where('art14_notices.due_at', '<=', sql<Date>`now()`);
    }
    const sort =
      state === 'sent'
        ? { expression: sql`art14_notices.sent_at`, direction: 'desc' as const }
        : { expression: sql`art14_notices.due_at`, direction: 'asc' as const };
    const { items: page, nextCursor } = finishPage(
      await pageBy(q, 'art14_notices.id', sort, query.cursor, query.limit).execute(),
      query.limit,
      (row) => row,
    );
    const people = await loadPeople(
      app,
      tx,
      tenantId,
      page.map((row) => ({ type: row.person_type, id: row.person_id })),
    );
    const nameSource = await sourceNamer(tx, tenantId);
    const now = Date.now();
    const items: NoticeView[] = page.map((row) => {
      const person = people.get(row.person_id);
      const { source, label } = nameSource(row.source_type, row.source_ref);
      const name = [person?.firstName, person?.lastName].filter(Boolean).join(' ') || person?.emails[0] || null;
      return {
        id: row.id,
        person: { type: row.person_type, id: row.person_id, name },
        source: {
          type: row.source_type,
          ref: row.source_ref,
          label,
        },
        obtainedAt: isoRequired(row.obtained_at),
        dueAt: isoRequired(row.due_at),
        dueReason: row.due_reason,
        state: row.sent_at ? 'sent' : row.exempt ? 'exempt' : new Date(row.due_at).getTime() <= now ? 'overdue' : 'due',
        exemption: row.sent_at ? null : ((source?.exemption as NoticeView['exemption']) ?? null),
        sentAt: iso(row.sent_at),
        sentVia: row.sent_via,
        messageId: row.message_id,
        lastError: row.last_error,
      };
    });
    return { items, nextCursor };
  });
}

/** The figures of the compliance dashboard. */
export async function noticeCountsOf(tx: Tx, tenantId: string): Promise<z.infer<typeof noticeCounts>> {
  const row = await tx
    .selectFrom('art14_notices')
    .select([
      sql<number>`count(*) filter (where sent_at is null and not ${exemptSource()} and due_at > now())::int`.as('due'),
      sql<number>`count(*) filter (where sent_at is null and not ${exemptSource()} and due_at <= now())::int`.as('overdue'),
      sql<number>`count(*) filter (where sent_at is not null)::int`.as('sent'),
      sql<number>`count(*) filter (where sent_at is null and ${exemptSource()})::int`.as('exempt'),
      sql<Date | null>`min(due_at) filter (where sent_at is null and not ${exemptSource()})`.as('next_due'),
    ])
    .where('tenant_id', '=', tenantId)
    .where(personHeld())
    .executeTakeFirstOrThrow();
  return { due: row.due, overdue: row.overdue, sent: row.sent, exempt: row.exempt, nextDueAt: iso(row.next_due) };
}
