import type { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import type { Caller } from '../auth/context.ts';
import { crmWork, type CrmWork } from '../crm/context.ts';
import { isRecordVisible } from '../crm/records.ts';
import type { CrmRecordType } from '../db/types.ts';
import { notFound } from '../http/errors.ts';
import type { timelineItem, timelineQuery, timelineView } from './schema.ts';

type Item = z.infer<typeof timelineItem>;
type Query = z.infer<typeof timelineQuery>;
type Source = (work: CrmWork, query: Query, before: Date, take: number) => Promise<Item[]>;

const iso = (value: Date | string) => new Date(value).toISOString();
/** A code as words: closed_won → Closed won. */
const labelOf = (code: string) => code.charAt(0).toUpperCase() + code.slice(1).replaceAll('_', ' ');
const member = (id: string | null): Pick<Item, 'actorType' | 'actorId'> =>
  id ? { actorType: 'member', actorId: id } : { actorType: 'system', actorId: null };

/** Notes, calls, e-mails and meetings logged on the record, with their text. */
const notes: Source = async (work, query, before, take) => {
  const rows = await work.tx
    .selectFrom('notes')
    .select(['id', 'kind', 'body_enc', 'key_id', 'author_id', 'occurred_at'])
    .where('tenant_id', '=', work.tenantId)
    .where('record_type', '=', query.recordType)
    .where('record_id', '=', query.recordId)
    .where('occurred_at', '<', before)
    .orderBy('occurred_at', 'desc')
    .limit(take)
    .execute();
  await work.sealer.preload(rows.map((row) => row.key_id));
  const items: Item[] = [];
  for (const row of rows) {
    items.push({
      id: `note:${row.id}`,
      kind: row.kind,
      at: iso(row.occurred_at),
      ...member(row.author_id),
      title: labelOf(row.kind),
      body: (await work.sealer.open<string>('notes.body', row.body_enc)) ?? '',
      ref: { type: 'note', id: row.id },
    });
  }
  return items;
};

/** Tasks on the record: when each was set, and when it was done. */
const tasks: Source = async (work, query, before, take) => {
  const rows = await work.tx
    .selectFrom('tasks')
    .select(['id', 'title_enc', 'key_id', 'created_by', 'created_at', 'assignee_id', 'done_at', 'due_at'])
    .where('tenant_id', '=', work.tenantId)
    .where('record_type', '=', query.recordType)
    .where('record_id', '=', query.recordId)
    .where((eb) => eb.or([eb('created_at', '<', before), eb('done_at', '<', before)]))
    .orderBy('created_at', 'desc')
    .limit(take)
    .execute();
  // Tasks on a company record each have a key of their own: one query for all of them.
  await work.sealer.preload(rows.map((row) => row.key_id));
  const items: Item[] = [];
  for (const row of rows) {
    const title = (await work.sealer.open<string>('tasks.title', row.title_enc)) ?? '';
    const ref = { type: 'task' as const, id: row.id };
    if (new Date(row.created_at) < before) {
      const due = row.due_at ? `, due ${iso(row.due_at).slice(0, 16).replace('T', ' ')} UTC` : '';
      items.push({
        id: `task:${row.id}`,
        kind: 'task_created',
        at: iso(row.created_at),
        ...member(row.created_by),
        title: `Task: ${title}${due}`,
        body: null,
        ref,
      });
    }
    if (row.done_at && new Date(row.done_at) < before) {
      items.push({
        id: `task-done:${row.id}`,
        kind: 'task_done',
        at: iso(row.done_at),
        ...member(row.assignee_id),
        title: `Done: ${title}`,
        body: null,
        ref,
      });
    }
  }
  return items;
};

/** A deal's stage changes, from its creation on. */
const stages: Source = async (work, query, before, take) => {
  if (query.recordType !== 'opportunity') return [];
  const rows = await work.tx
    .selectFrom('opportunity_stage_changes')
    .select(['id', 'from_stage', 'to_stage', 'changed_by', 'changed_at'])
    .where('tenant_id', '=', work.tenantId)
    .where('opportunity_id', '=', query.recordId)
    .where('changed_at', '<', before)
    .orderBy('changed_at', 'desc')
    .limit(take)
    .execute();
  return rows.map((row) => ({
    id: `stage:${row.id}`,
    kind: 'stage_change',
    at: iso(row.changed_at),
    ...member(row.changed_by),
    title: row.from_stage ? `Stage: ${labelOf(row.from_stage)} → ${labelOf(row.to_stage)}` : `Created in ${labelOf(row.to_stage)}`,
    body: null,
    ref: null,
  }));
};

/** A person's consent ledger: given, confirmed, withdrawn, objected, … for each purpose. */
const consents: Source = async (work, query, before, take) => {
  if (query.recordType !== 'contact' && query.recordType !== 'lead') return [];
  const rows = await work.tx
    .selectFrom('consent_events')
    .leftJoin('purposes', (join) =>
      join.onRef('purposes.tenant_id', '=', 'consent_events.tenant_id').onRef('purposes.id', '=', 'consent_events.purpose_id'),
    )
    .select([
      'consent_events.id',
      'consent_events.kind',
      'consent_events.method',
      'consent_events.actor_type',
      'consent_events.actor_id',
      'consent_events.occurred_at',
      'purposes.name as purpose',
    ])
    .where('consent_events.tenant_id', '=', work.tenantId)
    .where('consent_events.person_id', '=', query.recordId)
    .where('consent_events.occurred_at', '<', before)
    .orderBy('consent_events.occurred_at', 'desc')
    .limit(take)
    .execute();
  return rows.map((row) => ({
    id: `consent:${row.id}`,
    kind: 'consent',
    at: iso(row.occurred_at),
    actorType: row.actor_type,
    actorId: row.actor_type === 'member' || row.actor_type === 'api_token' ? row.actor_id : null,
    title: `Consent ${labelOf(row.kind).toLowerCase()}${row.purpose ? ` for ${row.purpose}` : ''} (${labelOf(row.method).toLowerCase()})`,
    body: null,
    ref: null,
  }));
};

/** E-mails the workspace sent the person: campaigns, confirmations, re-permission requests. */
const emails: Source = async (work, query, before, take) => {
  if (query.recordType !== 'contact' && query.recordType !== 'lead') return [];
  const rows = await work.tx
    .selectFrom('email_messages')
    .select(['id', 'kind', 'subject_enc', 'created_at'])
    .where('tenant_id', '=', work.tenantId)
    .where('person_id', '=', query.recordId)
    .where('created_at', '<', before)
    .orderBy('created_at', 'desc')
    .limit(take)
    .execute();
  const items: Item[] = [];
  for (const row of rows) {
    const subject = await work.sealer.open<string>('email_messages.subject', row.subject_enc);
    items.push({
      id: `email:${row.id}`,
      kind: 'email_sent',
      at: iso(row.created_at),
      actorType: 'system',
      actorId: null,
      title: `${labelOf(row.kind)} e-mail sent${subject ? `: ${subject}` : ''}`,
      body: null,
      ref: null,
    });
  }
  return items;
};

/** The other CRMs the record is linked with, as of their last sync. */
const syncs: Source = async (work, query, before, take) => {
  const rows = await work.tx
    .selectFrom('sync_links')
    .innerJoin('integrations', (join) =>
      join.onRef('integrations.tenant_id', '=', 'sync_links.tenant_id').onRef('integrations.id', '=', 'sync_links.integration_id'),
    )
    .select([
      'sync_links.integration_id',
      'sync_links.object',
      'sync_links.external_id',
      'sync_links.origin',
      'sync_links.synced_at',
      'integrations.label',
    ])
    .where('sync_links.tenant_id', '=', work.tenantId)
    .where('sync_links.record_type', '=', query.recordType)
    .where('sync_links.record_id', '=', query.recordId)
    .where('sync_links.synced_at', '<', before)
    .orderBy('sync_links.synced_at', 'desc')
    .limit(take)
    .execute();
  return rows.map((row) => ({
    id: `sync:${row.integration_id}:${row.object}:${row.external_id}`,
    kind: 'sync',
    at: iso(row.synced_at),
    actorType: 'system',
    actorId: null,
    title: `Synced with ${row.label} (${row.object} ${row.external_id}, ${row.origin === 'created' ? 'brought in from there' : 'matched'})`,
    body: null,
    ref: null,
  }));
};

const SOURCES: Source[] = [notes, tasks, stages, consents, emails, syncs];

/**
 * Everything that happened to a record, newest first, from every source at once: each source
 * gives its newest `limit` before the cursor, and the page is the newest `limit` of them all.
 */
export function recordTimeline(app: AppContext, caller: Caller, query: Query): Promise<z.infer<typeof timelineView>> {
  return crmWork(app, caller, async (work) => {
    if (!(await isRecordVisible(work, query.recordType, query.recordId))) throw notFound(labelOf(query.recordType));
    const before = query.before ? new Date(query.before) : new Date(Date.now() + 60_000);
    const found: Item[] = [];
    for (const source of SOURCES) found.push(...(await source(work, query, before, query.limit + 1)));
    found.sort((a, b) => b.at.localeCompare(a.at) || a.id.localeCompare(b.id));
    const items = found.slice(0, query.limit);
    if (isPerson(query.recordType)) {
      await work.auditRead({ action: `${query.recordType}.timeline`, objectType: query.recordType, objectId: query.recordId });
    }
    return { items, nextBefore: found.length > query.limit ? items[items.length - 1]!.at : null };
  });
}

const isPerson = (type: CrmRecordType) => type === 'contact' || type === 'lead';
