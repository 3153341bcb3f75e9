import crypto from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import type { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { recordAudit, type AuditOrigin } from '../audit/service.ts';
import { asCaller, type Caller } from '../auth/context.ts';
import { Sealer } from '../crypto/sealer.ts';
import { iso, isoRequired } from '../shared/dates.ts';
import { normaliseEmail } from '../shared/normalise.ts';
import { loadPeople } from '../crm/people.ts';
import type { Tx } from '../db/tenant.ts';
import type { DsrChannel, DsrRequestsTable, DsrStatus, DsrType } from '../db/types-rights.ts';
import { conflict, notFound, unprocessable } from '../http/errors.ts';
import { decodeCursor, encodeCursor } from '../http/pagination.ts';
import type { Mail } from '../mail/mailer.ts';
import { queueToPerson } from '../mail/delivery.ts';
import { PROFILES, type Jurisdiction } from '../jurisdiction/profiles.ts';
import { subjectJurisdiction } from '../jurisdiction/service.ts';
import {
  assertExtensible,
  deadlineState,
  describePeriod,
  dueDate,
  ExtensionRefused,
  extendedDueDate,
  extensionOf,
  NEAR_DUE_DAYS,
  responseRule,
} from './deadlines.ts';
import type { dsrInput, dsrListQuery, dsrPatch, dsrView, evidenceInput } from './schema.ts';
import { openValue, peopleWithEmailIndex, type Subject } from './subject.ts';
import { addEvidence, owedToConnectedCrms } from './evidence.ts';
import { recipientsOf } from './recipients.ts';
import { queueRightsInConnectedCrms } from '../sync/rights.ts';

type RequestRow = Selectable<DsrRequestsTable>;
type DsrView = z.infer<typeof dsrView>;

const TYPE_LABELS: Record<DsrType, string> = {
  access: 'access to your data',
  portability: 'a copy of your data',
  rectification: 'correction of your data',
  erasure: 'erasure of your data',
  restriction: 'restriction of processing',
  objection: 'objection to processing',
  opt_out_sale_sharing: 'us not to sell or share your personal information',
  limit_sensitive: 'limiting the use of your sensitive personal information',
};

/** What the request asks for, with the provision of its law that grants it (request types are named as the rights). */
function requestLabel(type: DsrType, jurisdiction: Jurisdiction): string {
  const right = PROFILES[jurisdiction].rights.find((declared) => declared.right === type);
  return right ? `${TYPE_LABELS[type]} (${right.title}, ${right.reference})` : TYPE_LABELS[type];
}

/** Requests the CCPA forbids making the person verify (Cal. Code Regs. tit. 11, 7026(d), 7027(e)). */
export const NO_VERIFICATION: ReadonlySet<DsrType> = new Set(['opt_out_sale_sharing', 'limit_sensitive']);

/** Which status may follow which; completion of access and erasure goes through execute. */
const NEXT: Record<DsrStatus, readonly DsrStatus[]> = {
  received: ['verifying', 'in_progress', 'rejected'],
  verifying: ['in_progress', 'rejected'],
  in_progress: ['completed', 'rejected'],
  completed: [],
  rejected: [],
};

export interface NewRequest {
  type: DsrType;
  channel: DsrChannel;
  email: string;
  name: string | null;
  details: string | null;
  receivedAt: Date;
  identityStatus: 'unverified' | 'verified' | 'failed';
  identityMethod: string | null;
  assigneeId: string | null;
  status?: DsrStatus;
  /** Default: that of the records holding the address, else the workspace default. */
  jurisdiction?: Jurisdiction;
}

const seal = (app: AppContext, tx: Tx, tenantId: string, requestId: string, field: string, value: string | null) =>
  value === null ? Promise.resolve(null) : app.keys.encryptField(tx, tenantId, requestId, `dsr_requests.${field}`, value);

/** Stores a request with its deadline; the requester's details are sealed under the request's own key. */
export async function insertRequest(app: AppContext, tx: Tx, tenantId: string, input: NewRequest, origin: AuditOrigin): Promise<string> {
  const id = crypto.randomUUID();
  const email = normaliseEmail(input.email);
  if (input.assigneeId) await assertAssignee(tx, tenantId, input.assigneeId);
  const emailIndex = await new Sealer(app, tx, tenantId).index('email', email);
  const jurisdiction =
    input.jurisdiction ?? (await subjectJurisdiction(tx, tenantId, await peopleWithEmailIndex(tx, tenantId, emailIndex))).jurisdiction;
  await tx
    .insertInto('dsr_requests')
    .values({
      tenant_id: tenantId,
      id,
      type: input.type,
      channel: input.channel,
      requester_email_enc: (await seal(app, tx, tenantId, id, 'requester_email', email))!,
      requester_name_enc: await seal(app, tx, tenantId, id, 'requester_name', input.name),
      details_enc: await seal(app, tx, tenantId, id, 'details', input.details),
      requester_email_index: emailIndex,
      jurisdiction,
      identity_status: input.identityStatus,
      identity_method: input.identityMethod,
      received_at: input.receivedAt,
      due_at: dueDate(input.receivedAt, jurisdiction, input.type),
      status: input.status ?? 'received',
      completed_at: input.status === 'completed' ? new Date() : null,
      assignee_id: input.assigneeId,
      created_by_type: origin.actorType,
      created_by_id: origin.actorId,
    })
    .execute();
  await recordAudit(tx, tenantId, origin, {
    action: 'dsr.create',
    objectType: 'dsr_request',
    objectId: id,
    fields: [`type:${input.type}`, `channel:${input.channel}`, `jurisdiction:${jurisdiction}`],
  });
  return id;
}

async function assertAssignee(tx: Tx, tenantId: string, memberId: string): Promise<void> {
  const member = await tx
    .selectFrom('members')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', memberId)
    .where('status', '=', 'active')
    .executeTakeFirst();
  if (!member) throw unprocessable('assigneeId does not name an active member.', { field: 'assigneeId' });
}

/**
 * Writes to the requester (receipt, extension, completion) in the transaction of the change it
 * reports, through the outbox (src/mail/delivery.ts): the change and its e-mail commit together,
 * and the e-mail is sent after the commit or, failing that, by a job. Recorded as evidence; the
 * copy is kept under the request's key.
 */
export async function notifyRequester(
  app: AppContext,
  tx: Tx,
  tenantId: string,
  requestId: string,
  mail: Omit<Mail, 'to'>,
  origin: AuditOrigin,
): Promise<void> {
  const row = await tx
    .selectFrom('dsr_requests')
    .select('requester_email_enc')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', requestId)
    .executeTakeFirstOrThrow();
  const to = (await openValue(app, tx, tenantId, 'dsr_requests.requester_email', row.requester_email_enc)) as string;
  await queueToPerson(app, tx, tenantId, { personId: requestId, kind: 'dsr', mail: { ...mail, to } });
  await addEvidence(app, tx, tenantId, requestId, 'sent', `Email "${mail.subject}" sent to the requester.`, origin);
}

/** The receipt: what was asked, under which law, and by when it will be answered. */
export async function sendReceipt(
  app: AppContext,
  tx: Tx,
  tenantId: string,
  requestId: string,
  workspace: string,
  origin: AuditOrigin,
): Promise<void> {
  const row = await findRequest(tx, tenantId, requestId);
  const jurisdiction = row.jurisdiction as Jurisdiction;
  const rule = responseRule(jurisdiction, row.type);
  await notifyRequester(
    app,
    tx,
    tenantId,
    requestId,
    {
      subject: `We received your request: ${TYPE_LABELS[row.type]}`,
      text:
        `${workspace} received your request for ${requestLabel(row.type, jurisdiction)}.\n\n` +
        `We will answer by ${new Date(row.due_at).toISOString().slice(0, 10)} at the latest (${describePeriod(rule.response)}, ${rule.reference}). ` +
        (extensionOf(jurisdiction, row.type) ? 'If we need more time we will tell you why before then.\n' : '\n'),
    },
    origin,
  );
}

async function findRequest(tx: Tx, tenantId: string, id: string): Promise<RequestRow> {
  const row = await tx.selectFrom('dsr_requests').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Request');
  return row;
}

/** The subject a request is about: its address and the records that carry it now. */
export async function subjectOfRequest(app: AppContext, tx: Tx, tenantId: string, row: RequestRow): Promise<Subject> {
  const email = (await openValue(app, tx, tenantId, 'dsr_requests.requester_email', row.requester_email_enc)) as string;
  return { email, emailIndex: row.requester_email_index, people: await peopleWithEmailIndex(tx, tenantId, row.requester_email_index) };
}

async function toView(app: AppContext, tx: Tx, tenantId: string, row: RequestRow, withDetail: boolean): Promise<DsrView> {
  const open = (field: string, value: string | null) =>
    openValue(app, tx, tenantId, `dsr_requests.${field}`, value) as Promise<string | null>;
  const closed = row.status === 'completed' || row.status === 'rejected';
  let people: DsrView['people'] = [];
  let evidence: DsrView['evidence'] = [];
  let recipients: DsrView['recipients'] = [];
  if (withDetail) {
    recipients = await recipientsOf(tx, tenantId, row.id);
    const subject = await subjectOfRequest(app, tx, tenantId, row);
    const details = await loadPeople(app, tx, tenantId, subject.people);
    people = subject.people.map((person) => {
      const found = details.get(person.id);
      return { ...person, name: [found?.firstName, found?.lastName].filter(Boolean).join(' ') || null };
    });
    const rows = await tx
      .selectFrom('dsr_evidence')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('request_id', '=', row.id)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    evidence = [];
    for (const item of rows) {
      evidence.push({
        id: item.id,
        kind: item.kind,
        summary: (await openValue(app, tx, tenantId, 'dsr_evidence.summary', item.summary_enc)) as string | null,
        actorType: item.actor_type,
        actorId: item.actor_id,
        createdAt: isoRequired(item.created_at),
      });
    }
  }
  return {
    id: row.id,
    type: row.type,
    channel: row.channel,
    requester: {
      email: await open('requester_email', row.requester_email_enc),
      name: await open('requester_name', row.requester_name_enc),
    },
    details: await open('details', row.details_enc),
    identityStatus: row.identity_status,
    identityMethod: row.identity_method,
    jurisdiction: row.jurisdiction as Jurisdiction,
    receivedAt: isoRequired(row.received_at),
    dueAt: isoRequired(row.due_at),
    deadlineReference: responseRule(row.jurisdiction as Jurisdiction, row.type).reference,
    deadline: closed ? 'closed' : deadlineState(new Date(row.due_at)),
    extendedAt: iso(row.extended_at),
    extensionReason: await open('extension_reason', row.extension_reason_enc),
    status: row.status,
    rejectionReason: await open('rejection_reason', row.rejection_reason_enc),
    completedAt: iso(row.completed_at),
    deidentifiedAt: iso(row.deidentified_at),
    assigneeId: row.assignee_id,
    people,
    evidence,
    recipients,
  };
}

export async function logRequest(app: AppContext, caller: Caller, input: z.infer<typeof dsrInput>) {
  const receivedAt = input.receivedAt ? new Date(input.receivedAt) : new Date();
  if (receivedAt.getTime() > Date.now() + 60_000) throw unprocessable('receivedAt is in the future.', { field: 'receivedAt' });
  const { id } = await asCaller(app, caller, async (tx) => {
    const tenantId = caller.auth.tenantId;
    // A deadline that ran before the workspace existed is not one this controller could have
    // missed or met: such a date is a mistake, or an attempt to make a late answer look on time.
    const created = await tx.selectFrom('tenants').select('created_at').where('id', '=', tenantId).executeTakeFirstOrThrow();
    if (receivedAt.getTime() < new Date(created.created_at).getTime() - 60_000) {
      throw unprocessable(`receivedAt is before the workspace was created (${new Date(created.created_at).toISOString()}).`, {
        field: 'receivedAt',
      });
    }
    const requestId = await insertRequest(app, tx, tenantId, { ...input, receivedAt }, caller.origin);
    const workspaceRow = await tx.selectFrom('tenants').select('name').where('id', '=', tenantId).executeTakeFirstOrThrow();
    await sendReceipt(app, tx, tenantId, requestId, workspaceRow.name, caller.origin);
    return { id: requestId };
  });
  return getRequest(app, caller, id, { audit: false });
}

/** A request as staff see it. The answer to a change the caller just made is not a separate read. */
export function getRequest(app: AppContext, caller: Caller, id: string, options: { audit: boolean } = { audit: true }) {
  return asCaller(app, caller, async (tx, audit) => {
    const view = await toView(app, tx, caller.auth.tenantId, await findRequest(tx, caller.auth.tenantId, id), true);
    if (options.audit) await audit({ action: 'dsr.read', objectType: 'dsr_request', objectId: id, fields: ['requester', 'evidence'] });
    return view;
  });
}

/** The queue: soonest deadline first by default; filters by status, type, deadline and assignee. */
export function listRequests(app: AppContext, caller: Caller, query: z.infer<typeof dsrListQuery>) {
  return asCaller(app, caller, async (tx, audit) => {
    const tenantId = caller.auth.tenantId;
    const sort = query.sort ?? 'dueAt';
    const column = sort.endsWith('dueAt') ? 'due_at' : 'received_at';
    const descending = sort.startsWith('-');
    let q = tx.selectFrom('dsr_requests').selectAll().where('tenant_id', '=', tenantId);
    if (query.status === 'open') q = q.where('status', 'not in', ['completed', 'rejected']);
    else if (query.status) q = q.where('status', '=', query.status);
    if (query.type) q = q.where('type', '=', query.type);
    if (query.assigneeId) q = q.where('assignee_id', '=', query.assigneeId);
    if (query.deadline) {
      q = q.where('status', 'not in', ['completed', 'rejected']);
      q =
        query.deadline === 'overdue'
          ? q.where('due_at', '<', new Date())
          : q.where('due_at', '>=', new Date()).where('due_at', '<=', new Date(Date.now() + NEAR_DUE_DAYS * 86_400_000));
    }
    const after = decodeCursor(query.cursor, 2);
    if (after)
      q = q.where(
        sql<boolean>`(${sql.ref(column)}, id) ${sql.raw(descending ? '<' : '>')} (${String(after[0])}::timestamptz, ${String(after[1])}::uuid)`,
      );
    const rows = await q
      .select(sql<string>`${sql.ref(column)}::text`.as('_sort'))
      .orderBy(column, descending ? 'desc' : 'asc')
      .orderBy('id', descending ? 'desc' : 'asc')
      .limit(query.limit + 1)
      .execute();
    const page = rows.slice(0, query.limit);
    // Each request has its own key: load the page's keys in one query, not one per row.
    await app.keys.preloadSubjectKeys(
      tx,
      tenantId,
      page.map((row) => row.id),
    );
    const items = [];
    for (const row of page) items.push(await toView(app, tx, tenantId, row, false));
    await audit({ action: 'dsr.list', objectType: 'dsr_request', objectId: null, fields: ['requester'] });
    const last = page[page.length - 1];
    return { items, nextCursor: rows.length > query.limit && last ? encodeCursor([last._sort, last.id]) : null };
  });
}

export function requestSummary(app: AppContext, caller: Caller) {
  return asCaller(app, caller, async (tx) => {
    const tenantId = caller.auth.tenantId;
    const open = await tx
      .selectFrom('dsr_requests')
      .select(['type', 'due_at'])
      .where('tenant_id', '=', tenantId)
      .where('status', 'not in', ['completed', 'rejected'])
      .execute();
    const byType: Record<string, number> = {};
    let nearDue = 0;
    let overdue = 0;
    for (const row of open) {
      byType[row.type] = (byType[row.type] ?? 0) + 1;
      const state = deadlineState(new Date(row.due_at));
      if (state === 'near_due') nearDue += 1;
      if (state === 'overdue') overdue += 1;
    }
    return { open: open.length, nearDue, overdue, byType };
  });
}

export async function updateRequest(app: AppContext, caller: Caller, id: string, patch: z.infer<typeof dsrPatch>) {
  await asCaller(app, caller, async (tx, audit) => {
    const tenantId = caller.auth.tenantId;
    const row = await findRequest(tx, tenantId, id);
    if (patch.status && patch.status !== row.status) {
      if (!NEXT[row.status].includes(patch.status))
        throw conflict(`A ${row.status} request cannot become ${patch.status}.`, { status: row.status });
      if (patch.status === 'rejected' && !patch.rejectionReason)
        throw unprocessable('Say why the request is rejected; the reason is sent to the person.', { field: 'rejectionReason' });
      if (patch.status === 'completed' && ['access', 'portability', 'erasure'].includes(row.type)) {
        throw conflict(`Complete this ${row.type} request with "execute", which does the work and records the evidence.`, {
          type: row.type,
        });
      }
      const identity = patch.identityStatus ?? row.identity_status;
      if (['in_progress', 'completed'].includes(patch.status) && identity !== 'verified' && !NO_VERIFICATION.has(row.type)) {
        throw conflict("Verify the requester's identity first.", { identityStatus: identity });
      }
    }
    if (patch.assigneeId) await assertAssignee(tx, tenantId, patch.assigneeId);
    await tx
      .updateTable('dsr_requests')
      .set({
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        ...(patch.status === 'rejected'
          ? {
              rejection_reason_enc: await seal(app, tx, tenantId, id, 'rejection_reason', patch.rejectionReason!),
              completed_at: new Date(),
            }
          : {}),
        ...(patch.status === 'completed' ? { completed_at: new Date() } : {}),
        ...(patch.assigneeId !== undefined ? { assignee_id: patch.assigneeId } : {}),
        ...(patch.identityStatus !== undefined ? { identity_status: patch.identityStatus } : {}),
        ...(patch.identityMethod !== undefined ? { identity_method: patch.identityMethod } : {}),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
    // Art. 19: the corrections made on the records reach every connected CRM holding a copy.
    if (patch.status === 'completed' && row.type === 'rectification') {
      const subject = await subjectOfRequest(app, tx, tenantId, row);
      const copies = await queueRightsInConnectedCrms(tx, tenantId, 'rectification', subject.people, id);
      await addEvidence(
        app,
        tx,
        tenantId,
        id,
        'done',
        `Corrected on ${subject.people.length} record(s).` + owedToConnectedCrms(copies, 'The correction is'),
        caller.origin,
      );
    }
    if (patch.identityStatus && patch.identityStatus !== row.identity_status) {
      await addEvidence(
        app,
        tx,
        tenantId,
        id,
        'note',
        `Identity ${patch.identityStatus}${patch.identityMethod ? ` (${patch.identityMethod})` : ''}.`,
        caller.origin,
      );
    }
    await audit({ action: 'dsr.update', objectType: 'dsr_request', objectId: id, fields: Object.keys(patch) });
    const workspace = (await tx.selectFrom('tenants').select('name').where('id', '=', tenantId).executeTakeFirstOrThrow()).name;
    const jurisdiction = row.jurisdiction as Jurisdiction;
    if (patch.status === 'rejected') {
      const complaint = PROFILES[jurisdiction].rights.find((right) => right.right === 'complaint');
      await notifyRequester(
        app,
        tx,
        tenantId,
        id,
        {
          subject: `Your request: ${TYPE_LABELS[row.type]}`,
          text:
            `${workspace} cannot act on your request for ${requestLabel(row.type, jurisdiction)}.\n\nReason: ${patch.rejectionReason}\n\n` +
            `You may complain to ${PROFILES[jurisdiction].authority}${complaint ? ` (${complaint.reference})` : ''}.\n`,
        },
        caller.origin,
      );
    } else if (patch.status === 'completed') {
      await notifyRequester(app, tx, tenantId, id, completionMail(workspace, row.type, 'We have done what you asked.'), caller.origin);
    }
  });
  return getRequest(app, caller, id, { audit: false });
}

export function completionMail(workspace: string, type: DsrType, what: string): Omit<Mail, 'to'> {
  return {
    subject: `Your request is complete: ${TYPE_LABELS[type]}`,
    text: `${workspace} has completed your request for ${TYPE_LABELS[type]}.\n\n${what}\n`,
  };
}

export async function extendRequest(app: AppContext, caller: Caller, id: string, reason: string) {
  await asCaller(app, caller, async (tx, audit) => {
    const tenantId = caller.auth.tenantId;
    const row = await findRequest(tx, tenantId, id);
    if (row.status === 'completed' || row.status === 'rejected') throw conflict('The request is closed.', { status: row.status });
    try {
      assertExtensible(
        {
          receivedAt: new Date(row.received_at),
          extendedAt: row.extended_at ? new Date(row.extended_at) : null,
          jurisdiction: row.jurisdiction as Jurisdiction,
          type: row.type,
        },
        reason,
      );
    } catch (error) {
      if (error instanceof ExtensionRefused) throw conflict(error.message);
      throw error;
    }
    const due = extendedDueDate(new Date(row.received_at), row.jurisdiction as Jurisdiction, row.type);
    await tx
      .updateTable('dsr_requests')
      .set({ due_at: due, extended_at: new Date(), extension_reason_enc: await seal(app, tx, tenantId, id, 'extension_reason', reason) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
    await audit({ action: 'dsr.extend', objectType: 'dsr_request', objectId: id, fields: ['dueAt', 'extensionReason'] });
    const workspace = (await tx.selectFrom('tenants').select('name').where('id', '=', tenantId).executeTakeFirstOrThrow()).name;
    await notifyRequester(
      app,
      tx,
      tenantId,
      id,
      {
        subject: `More time is needed for your request: ${TYPE_LABELS[row.type]}`,
        text: `${workspace} needs more time to answer your request, as the law allows (${PROFILES[row.jurisdiction as Jurisdiction].deadline.extensionReference}).\n\nWhy: ${reason}\n\nWe will answer by ${due.toISOString().slice(0, 10)}.\n`,
      },
      caller.origin,
    );
  });
  return getRequest(app, caller, id, { audit: false });
}

export function recordEvidence(app: AppContext, caller: Caller, id: string, input: z.infer<typeof evidenceInput>) {
  return asCaller(app, caller, async (tx, audit) => {
    await findRequest(tx, caller.auth.tenantId, id);
    await addEvidence(app, tx, caller.auth.tenantId, id, input.kind, input.summary, caller.origin);
    await audit({ action: 'dsr.evidence', objectType: 'dsr_request', objectId: id, fields: [input.kind] });
    return toView(app, tx, caller.auth.tenantId, await findRequest(tx, caller.auth.tenantId, id), true);
  });
}

export { findRequest, TYPE_LABELS };
