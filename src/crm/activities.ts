import crypto from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import type { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import type { Caller } from '../auth/context.ts';
import type { CrmRecordType, NotesTable, TasksTable } from '../db/types.ts';
import { forbidden, notFound } from '../http/errors.ts';
import { crmWork, openPage, definedOnly, type CrmWork } from './context.ts';
import { iso, isoRequired } from '../shared/dates.ts';
import { pageBy, resolveSort } from '../http/pagination.ts';
import { assertAssignable } from './members.ts';
import { assertRecordReference, isRecordVisible, PERSON_RECORDS, TABLE_OF } from './records.ts';
import { recordNames } from './record-names.ts';
import type { noteInput, noteListQuery, notePatch, noteView, taskInput, taskListQuery, taskPatch, taskView } from './schema.ts';
import { taskVisible } from './visibility.ts';
import { reminderChange, reminderOf, remindAt, remindingNow } from './task-reminders.ts';

type TaskRow = Selectable<TasksTable>;
type NoteRow = Selectable<NotesTable>;

/** A task's or note's key is its own unless it is the key of the person the activity is about. */
export const hasOwnKey = (row: { key_id: string; record_id: string | null }) => row.key_id !== row.record_id;

/**
 * Free text about a person is encrypted under that person's key, otherwise under a key of its
 * own. An activity taken off a person gets a new key of its own: the one it had was destroyed
 * when its text moved under the person's.
 */
export function keyFor(
  ownId: string,
  record: { type: CrmRecordType; id: string } | null | undefined,
  current?: { key_id: string; record_id: string | null },
): string {
  if (record && PERSON_RECORDS.includes(record.type)) return record.id;
  if (!current) return ownId;
  return hasOwnKey(current) ? current.key_id : crypto.randomUUID();
}

/**
 * Removes the tasks and notes of deleted records. Returns the ids of those that had a key of
 * their own (activities about a person are sealed under the person's key), for the caller to destroy.
 */
export async function removeActivitiesOf(work: CrmWork, type: CrmRecordType, ids: string[]): Promise<string[]> {
  const ownKeys: string[] = [];
  if (ids.length === 0) return ownKeys;
  for (const table of ['tasks', 'notes'] as const) {
    const removed = await work.tx
      .deleteFrom(table)
      .where('tenant_id', '=', work.tenantId)
      .where('record_type', '=', type)
      .where('record_id', 'in', ids)
      .returning(['key_id', 'record_id'])
      .execute();
    for (const row of removed) if (hasOwnKey(row)) ownKeys.push(row.key_id);
  }
  return ownKeys;
}

/**
 * Deletes a record with its tasks and notes, audited. For a person (contact, lead) the data key
 * is destroyed too, so copies of their fields in backups become unreadable.
 */
export async function deleteRecord(work: CrmWork, type: CrmRecordType, id: string): Promise<void> {
  await removeRecords(work, type, [id]);
  await work.audit({ action: `${type}.delete`, objectType: type, objectId: id });
}

/** Deletes records as deleteRecord does, a batch at a time, for the caller to audit (once, for a bulk action). */
export async function removeRecords(work: CrmWork, type: CrmRecordType, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const ownKeys = await removeActivitiesOf(work, type, ids);
  await work.tx.deleteFrom(TABLE_OF[type]).where('tenant_id', '=', work.tenantId).where('id', 'in', ids).execute();
  // A record deleted here is no longer a copy of anything: the next change there brings it back as new.
  await work.tx
    .deleteFrom('sync_links')
    .where('tenant_id', '=', work.tenantId)
    .where('record_type', '=', type)
    .where('record_id', 'in', ids)
    .execute();
  await work.app.keys.destroySubjectKeys(work.tx, work.tenantId, PERSON_RECORDS.includes(type) ? [...ownKeys, ...ids] : ownKeys);
}

// Tasks

const TASK_SORTS = {
  dueAt: { expression: sql`coalesce(tasks.due_at, '9999-12-31T00:00:00Z'::timestamptz)`, defaultDirection: 'asc' as const },
  createdAt: { expression: sql`tasks.created_at`, defaultDirection: 'desc' as const },
};

async function toTaskView(work: CrmWork, row: TaskRow): Promise<z.infer<typeof taskView>> {
  return {
    id: row.id,
    title: (await work.sealer.open<string>('tasks.title', row.title_enc)) ?? '',
    dueAt: iso(row.due_at),
    assigneeId: row.assignee_id,
    done: row.done,
    doneAt: iso(row.done_at),
    record: row.record_type && row.record_id ? { type: row.record_type, id: row.record_id } : null,
    reminderMinutes: row.reminder_minutes,
    remindAt: iso(remindAt(row)),
    createdBy: row.created_by,
    createdAt: isoRequired(row.created_at),
    updatedAt: isoRequired(row.updated_at),
  };
}

function visibleTasks(work: CrmWork) {
  return work.tx.selectFrom('tasks').selectAll('tasks').where('tasks.tenant_id', '=', work.tenantId).where(taskVisible(work.scope));
}

async function findVisibleTask(work: CrmWork, id: string): Promise<TaskRow> {
  const row = await visibleTasks(work).where('tasks.id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Task');
  return row;
}

export function listTasks(app: AppContext, caller: Caller, query: z.infer<typeof taskListQuery>) {
  return crmWork(app, caller, async (work) => {
    let q = visibleTasks(work);
    if (query.assigneeId) q = q.where('tasks.assignee_id', '=', query.assigneeId);
    if (query.done !== undefined) q = q.where('tasks.done', '=', query.done);
    if (query.dueBefore) q = q.where('tasks.due_at', '<', new Date(query.dueBefore));
    if (query.dueAfter) q = q.where('tasks.due_at', '>=', new Date(query.dueAfter));
    if (query.undated !== undefined) q = q.where('tasks.due_at', query.undated ? 'is' : 'is not', null);
    if (query.recordType) q = q.where('tasks.record_type', '=', query.recordType);
    if (query.recordId) q = q.where('tasks.record_id', '=', query.recordId);
    if (query.reminding) q = q.where(remindingNow(work.memberId));
    const rows = await pageBy(q, 'tasks.id', resolveSort(query.sort, TASK_SORTS, 'dueAt'), query.cursor, query.limit).execute();
    const page = await openPage(work, rows, query.limit, (row) => row.key_id, toTaskView);
    const names = await recordNames(
      work,
      page.items.flatMap((task) => (task.record ? [task.record] : [])),
    );
    return {
      ...page,
      items: page.items.map((task) => ({ ...task, recordName: task.record ? (names.get(task.record.id) ?? null) : null })),
    };
  });
}

/** The assignee closes a reminder in the app; it stays closed until the due time or the reminder changes. */
export function dismissTaskReminder(app: AppContext, caller: Caller, id: string) {
  return crmWork(app, caller, async (work) => {
    const current = await findVisibleTask(work, id);
    if (current.assignee_id !== work.memberId) throw forbidden("Only the task's assignee can close its reminder.");
    const row = await work.tx
      .updateTable('tasks')
      .set({ reminder_dismissed_at: new Date() })
      .where('tenant_id', '=', work.tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await work.audit({ action: 'task.dismiss_reminder', objectType: 'task', objectId: id });
    return toTaskView(work, row);
  });
}

export function getTask(app: AppContext, caller: Caller, id: string) {
  return crmWork(app, caller, async (work) => toTaskView(work, await findVisibleTask(work, id)));
}

export function createTask(app: AppContext, caller: Caller, input: z.infer<typeof taskInput>) {
  return crmWork(app, caller, async (work) => {
    const assigneeId = input.assigneeId ?? work.memberId;
    await assertAssignable(work, assigneeId, 'assigneeId');
    if (input.record) await assertRecordReference(work, input.record);
    const id = crypto.randomUUID();
    const keyId = keyFor(id, input.record);
    const row = await work.tx
      .insertInto('tasks')
      .values({
        tenant_id: work.tenantId,
        id,
        title_enc: (await work.sealer.seal(keyId, 'tasks.title', input.title))!,
        key_id: keyId,
        due_at: input.dueAt ? new Date(input.dueAt) : null,
        reminder_minutes: reminderOf(input.dueAt, input.reminderMinutes),
        assignee_id: assigneeId,
        done: input.done ?? false,
        done_at: input.done ? new Date() : null,
        record_type: input.record?.type ?? null,
        record_id: input.record?.id ?? null,
        created_by: work.memberId,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await work.audit({ action: 'task.create', objectType: 'task', objectId: id, fields: Object.keys(input) });
    return toTaskView(work, row);
  });
}

export function updateTask(app: AppContext, caller: Caller, id: string, patch: z.infer<typeof taskPatch>) {
  return crmWork(app, caller, async (work) => {
    const current = await findVisibleTask(work, id);
    if (patch.assigneeId !== undefined && patch.assigneeId !== current.assignee_id)
      await assertAssignable(work, patch.assigneeId, 'assigneeId');
    const currentRecord = current.record_type && current.record_id ? { type: current.record_type, id: current.record_id } : null;
    const record = patch.record !== undefined ? patch.record : currentRecord;
    if (patch.record) await assertRecordReference(work, patch.record);
    const keyId = keyFor(id, record, current);
    const title = patch.title ?? (await work.sealer.open<string>('tasks.title', current.title_enc)) ?? '';
    const row = await work.tx
      .updateTable('tasks')
      .set({
        title_enc: (await work.sealer.seal(keyId, 'tasks.title', title))!,
        key_id: keyId,
        ...(patch.dueAt !== undefined ? { due_at: patch.dueAt ? new Date(patch.dueAt) : null } : {}),
        ...reminderChange(current, patch),
        ...definedOnly({
          assignee_id: patch.assigneeId,
        }),
        ...(patch.done !== undefined ? { done: patch.done, done_at: patch.done ? (current.done_at ?? new Date()) : null } : {}),
        ...(patch.record !== undefined ? { record_type: record?.type ?? null, record_id: record?.id ?? null } : {}),
        updated_at: new Date(),
      })
      .where('tenant_id', '=', work.tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    // A title re-encrypted under another key leaves its own key unused.
    if (hasOwnKey(current) && keyId !== current.key_id) await work.sealer.destroy(current.key_id);
    await work.audit({ action: 'task.update', objectType: 'task', objectId: id, fields: Object.keys(patch) });
    return toTaskView(work, row);
  });
}

export function deleteTask(app: AppContext, caller: Caller, id: string) {
  return crmWork(app, caller, async (work) => {
    const current = await findVisibleTask(work, id);
    await work.tx.deleteFrom('tasks').where('tenant_id', '=', work.tenantId).where('id', '=', id).execute();
    await work.tx
      .deleteFrom('sync_links')
      .where('tenant_id', '=', work.tenantId)
      .where('record_type', '=', 'task')
      .where('record_id', '=', id)
      .execute();
    if (hasOwnKey(current)) await work.sealer.destroy(current.key_id);
    await work.audit({ action: 'task.delete', objectType: 'task', objectId: id });
  });
}

// Notes and activities (calls, emails, meetings)

async function toNoteView(work: CrmWork, row: NoteRow): Promise<z.infer<typeof noteView>> {
  return {
    id: row.id,
    kind: row.kind,
    body: (await work.sealer.open<string>('notes.body', row.body_enc)) ?? '',
    record: { type: row.record_type, id: row.record_id },
    authorId: row.author_id,
    occurredAt: isoRequired(row.occurred_at),
    createdAt: isoRequired(row.created_at),
    updatedAt: isoRequired(row.updated_at),
  };
}

/** A note is visible exactly when the record it is on is. */
async function findVisibleNote(work: CrmWork, id: string): Promise<NoteRow> {
  const row = await work.tx.selectFrom('notes').selectAll().where('tenant_id', '=', work.tenantId).where('id', '=', id).executeTakeFirst();
  if (!row || !(await isRecordVisible(work, row.record_type, row.record_id))) throw notFound('Note');
  return row;
}

const NOTE_SORTS = { occurredAt: { expression: sql`notes.occurred_at`, defaultDirection: 'desc' as const } };

export function listNotes(app: AppContext, caller: Caller, query: z.infer<typeof noteListQuery>) {
  return crmWork(app, caller, async (work) => {
    if (!(await isRecordVisible(work, query.recordType, query.recordId)))
      throw notFound(query.recordType[0]!.toUpperCase() + query.recordType.slice(1));
    let q = work.tx
      .selectFrom('notes')
      .selectAll('notes')
      .where('notes.tenant_id', '=', work.tenantId)
      .where('notes.record_type', '=', query.recordType)
      .where('notes.record_id', '=', query.recordId);
    if (query.kind) q = q.where('notes.kind', '=', query.kind);
    const rows = await pageBy(q, 'notes.id', resolveSort(undefined, NOTE_SORTS, 'occurredAt'), query.cursor, query.limit).execute();
    const page = await openPage(work, rows, query.limit, (row) => row.key_id, toNoteView);
    return page;
  });
}

export function getNote(app: AppContext, caller: Caller, id: string) {
  return crmWork(app, caller, async (work) => toNoteView(work, await findVisibleNote(work, id)));
}

export function createNote(app: AppContext, caller: Caller, input: z.infer<typeof noteInput>) {
  return crmWork(app, caller, async (work) => {
    await assertRecordReference(work, input.record);
    const id = crypto.randomUUID();
    const keyId = keyFor(id, input.record);
    const row = await work.tx
      .insertInto('notes')
      .values({
        tenant_id: work.tenantId,
        id,
        kind: input.kind ?? 'note',
        body_enc: (await work.sealer.seal(keyId, 'notes.body', input.body))!,
        key_id: keyId,
        record_type: input.record.type,
        record_id: input.record.id,
        author_id: work.memberId,
        occurred_at: input.occurredAt ? new Date(input.occurredAt) : new Date(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await work.audit({ action: 'note.create', objectType: 'note', objectId: id, fields: Object.keys(input) });
    return toNoteView(work, row);
  });
}

export function updateNote(app: AppContext, caller: Caller, id: string, patch: z.infer<typeof notePatch>) {
  return crmWork(app, caller, async (work) => {
    const current = await findVisibleNote(work, id);
    const row = await work.tx
      .updateTable('notes')
      .set({
        ...(patch.kind ? { kind: patch.kind } : {}),
        ...(patch.body ? { body_enc: (await work.sealer.seal(current.key_id, 'notes.body', patch.body))! } : {}),
        ...(patch.occurredAt ? { occurred_at: new Date(patch.occurredAt) } : {}),
        updated_at: new Date(),
      })
      .where('tenant_id', '=', work.tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await work.audit({ action: 'note.update', objectType: 'note', objectId: id, fields: Object.keys(patch) });
    return toNoteView(work, row);
  });
}

export function deleteNote(app: AppContext, caller: Caller, id: string) {
  return crmWork(app, caller, async (work) => {
    const current = await findVisibleNote(work, id);
    await work.tx.deleteFrom('notes').where('tenant_id', '=', work.tenantId).where('id', '=', id).execute();
    if (hasOwnKey(current)) await work.sealer.destroy(current.key_id);
    await work.audit({ action: 'note.delete', objectType: 'note', objectId: id });
  });
}
