import type { AppContext } from '../app-context.ts';
import type { AuditOrigin } from '../audit/service.ts';
import { asCaller, type Caller } from '../auth/context.ts';
import { suppress } from '../campaigns/suppressions.ts';
import { currentState, recordConsentEvent } from '../consent/ledger.ts';
import type { PersonRef } from '../crm/people.ts';
import { recordSaleSharingChoices } from '../consent/sale-sharing.ts';
import type { Tx } from '../db/tenant.ts';
import { conflict } from '../http/errors.ts';
import { accessReport } from './access-report.ts';
import { lookUpInConnectedCrms, type ConnectedLookup } from '../sync/lookup.ts';
import { queueRightsInConnectedCrms } from '../sync/rights.ts';
import { eraseSubject } from './erasure.ts';
import { accessReportZip } from './export-zip.ts';
import { addEvidence, owedToConnectedCrms } from './evidence.ts';
import { completionMail, findRequest, getRequest, NO_VERIFICATION, notifyRequester, subjectOfRequest } from './requests.ts';
import type { Subject } from './subject.ts';

/** Art. 18: every record of the subject is kept but no longer processed. */
export async function restrictSubject(tx: Tx, tenantId: string, subject: Subject, reason: string, by: string | null): Promise<number> {
  for (const person of subject.people) {
    await tx
      .insertInto('processing_restrictions')
      .values({ tenant_id: tenantId, person_id: person.id, person_type: person.type, reason, restricted_by: by })
      .onConflict((c) => c.columns(['tenant_id', 'person_id']).doUpdateSet({ reason }))
      .execute();
  }
  return subject.people.length;
}

/**
 * Art. 21(2)-(3): an objection to direct marketing is absolute and immediate. It is recorded
 * against every active direct-marketing purpose, the address is suppressed, and every connected
 * CRM holding the person is owed an unsubscription (src/sync/rights.ts).
 */
export async function objectToDirectMarketing(
  app: AppContext,
  tx: Tx,
  tenantId: string,
  subject: Subject,
  origin: AuditOrigin,
  requestId: string,
): Promise<{ recorded: number; connectedCopies: number }> {
  const source = `Art. 21 request ${requestId}`;
  const purposes = await tx
    .selectFrom('purposes')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'active')
    .where('direct_marketing', '=', true)
    .execute();
  let recorded = 0;
  for (const person of subject.people) {
    for (const purpose of purposes) {
      if ((await currentState(tx, tenantId, person.id, purpose.id)).state === 'objected') continue;
      await recordConsentEvent(app, tx, tenantId, {
        person,
        purpose,
        kind: 'objected',
        method: origin.actorType === 'data_subject' ? 'portal' : 'verbal',
        source,
        ip: origin.actorType === 'data_subject' ? (origin.ip ?? null) : null,
        userAgent: origin.actorType === 'data_subject' ? (origin.userAgent ?? null) : null,
        actor: { type: origin.actorType, id: origin.actorId },
      });
      recorded += 1;
    }
  }
  await suppress(tx, tenantId, [subject.emailIndex], 'unsubscribed', 'objection to direct marketing');
  const connectedCopies = await queueRightsInConnectedCrms(tx, tenantId, 'objection', subject.people, requestId);
  return { recorded, connectedCopies };
}

/**
 * The opt-out of sale and sharing, for every record of the subject, at once (no verification:
 * Cal. Code Regs. tit. 11, 7026(d)). Returns how many records changed.
 */
export async function optOutOfSaleSharing(
  app: AppContext,
  tx: Tx,
  tenantId: string,
  subject: Subject,
  origin: AuditOrigin,
  source: string,
): Promise<number> {
  const bySubject = origin.actorType === 'data_subject';
  return recordSaleSharingChoices(app, tx, tenantId, subject.people, {
    optedOut: true,
    method: bySubject ? 'portal' : 'verbal',
    source,
    ip: bySubject ? (origin.ip ?? null) : null,
    userAgent: bySubject ? (origin.userAgent ?? null) : null,
    actor: { type: origin.actorType, id: origin.actorId },
  });
}

function describe(people: PersonRef[]): string {
  return people.length === 0 ? 'no record holds this address' : people.map((person) => `${person.type} ${person.id}`).join(', ');
}

/**
 * For an access or portability request: what each connected CRM holds linked to the subject's
 * records (src/sync/lookup.ts), asked before the request's transaction so that it never waits
 * on another company's API. Empty for other requests.
 */
async function connectedCrmsHolding(app: AppContext, caller: Caller, id: string): Promise<ConnectedLookup[]> {
  const tenantId = caller.auth.tenantId;
  const people = await asCaller(app, caller, async (tx) => {
    const row = await findRequest(tx, tenantId, id);
    if (row.type !== 'access' && row.type !== 'portability') return null;
    if (row.identity_status !== 'verified' || row.status === 'completed' || row.status === 'rejected') return null;
    const subject = await subjectOfRequest(app, tx, tenantId, row);
    return { email: subject.email, personIds: subject.people.map((person) => person.id) };
  });
  return people ? lookUpInConnectedCrms(app, tenantId, people) : [];
}

/**
 * Does what a request asks, once the requester's identity is verified, and completes it with the
 * evidence: access and portability produce the report (sent as a zip), erasure erases,
 * restriction restricts, objection stops direct marketing. Rectification is done on the records
 * themselves and then completed by hand.
 */
export async function executeRequest(app: AppContext, caller: Caller, id: string) {
  const tenantId = caller.auth.tenantId;
  const connected = await connectedCrmsHolding(app, caller, id);
  await asCaller(app, caller, async (tx, audit) => {
    const row = await findRequest(tx, tenantId, id);
    if (row.status === 'completed' || row.status === 'rejected') throw conflict('The request is closed.', { status: row.status });
    if (row.identity_status !== 'verified' && !NO_VERIFICATION.has(row.type))
      throw conflict("Verify the requester's identity first.", { identityStatus: row.identity_status });
    if (row.type === 'rectification') throw conflict('Correct the records themselves, then complete the request.', { type: row.type });
    if (row.type === 'limit_sensitive')
      throw conflict('Limit the use of the sensitive data on the records themselves, then complete the request.', { type: row.type });
    const subject = await subjectOfRequest(app, tx, tenantId, row);
    const workspace = (await tx.selectFrom('tenants').select('name').where('id', '=', tenantId).executeTakeFirstOrThrow()).name;
    let summary: string;
    let message: string;
    let zip: Buffer | null = null;
    switch (row.type) {
      case 'access':
      case 'portability': {
        const report = { ...(await accessReport(app, tx, tenantId, subject)), connectedSystems: connected };
        zip = accessReportZip(report);
        const fields = report.data.filter((field) => field.values.length > 0);
        summary = `Found ${fields.length} fields with data (${[...new Set(fields.map((field) => field.object))].join(', ') || 'none'}) in ${describe(subject.people)}; ${report.consentHistory.length} consent events; ${report.accessLog.length} access-log entries. Report sent as a zip.`;
        if (connected.length > 0)
          summary += ` Connected CRMs: ${connected.map((c) => `${c.label} ${c.state.replace('_', ' ')}${c.records.length ? ` (${c.records.length} record(s))` : ''}${c.error ? `: ${c.error}` : ''} at ${c.lookedUpAt}`).join('; ')}.`;
        message = 'Attached is everything we hold about you (report.json, data.csv, consents.csv).';
        break;
      }
      case 'erasure': {
        const result = await eraseSubject(app, tx, tenantId, subject, id);
        const counts = Object.entries(result.deleted)
          .filter(([, n]) => n > 0)
          .map(([table, n]) => `${table}: ${n}`)
          .join(', ');
        summary =
          `Erased ${describe(subject.people.filter((p) => !result.kept.some((k) => k.id === p.id)))}; rows deleted: ${counts || 'none'}; data keys destroyed: ${result.keysDestroyed}.` +
          (result.kept.length
            ? ` Kept and restricted: ${result.kept.map((k) => `${k.type} ${k.id} (${k.reason})`).join('; ')}.`
            : ' Tombstone written.');
        message = result.kept.length
          ? `We erased your data except what we must keep: ${result.kept.map((k) => k.reason).join('; ')}. That part is no longer processed.`
          : 'Your data is erased, including in our backups (the keys that could read it are destroyed).';
        break;
      }
      case 'restriction': {
        const count = await restrictSubject(tx, tenantId, subject, `Art. 18 request ${id}`, caller.origin.actorId);
        summary = `Restricted ${count} record(s): ${describe(subject.people)}.`;
        message =
          'Your data is now only stored, not otherwise processed, until the restriction is lifted; we will tell you before lifting it.';
        break;
      }
      case 'objection': {
        const { recorded, connectedCopies } = await objectToDirectMarketing(app, tx, tenantId, subject, caller.origin, id);
        summary =
          `Objection to direct marketing recorded (${recorded} purpose/record pair(s)); address suppressed.` +
          owedToConnectedCrms(connectedCopies, 'An unsubscription is');
        message = 'You will receive no more direct marketing from us.';
        break;
      }
      case 'opt_out_sale_sharing': {
        const count = await optOutOfSaleSharing(app, tx, tenantId, subject, caller.origin, `Opt-out request ${id}`);
        summary = `Opt-out of sale and sharing recorded in the consent ledger for ${count} record(s) (${describe(subject.people)}).`;
        message = 'We will not sell or share your personal information.';
        break;
      }
    }
    await addEvidence(
      app,
      tx,
      tenantId,
      id,
      row.type === 'access' || row.type === 'portability' ? 'found' : 'done',
      summary,
      caller.origin,
    );
    await tx
      .updateTable('dsr_requests')
      .set({ status: 'completed', completed_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
    await audit({
      action: 'dsr.execute',
      objectType: 'dsr_request',
      objectId: id,
      fields: [`type:${row.type}`, ...subject.people.map((person) => `${person.type}:${person.id}`)],
    });
    // Queued with the work it reports: an erasure cannot commit without its completion e-mail.
    const mail = completionMail(workspace, row.type, message);
    await notifyRequester(
      app,
      tx,
      tenantId,
      id,
      zip ? { ...mail, attachments: [{ filename: 'your-data.zip', content: zip, contentType: 'application/zip' }] } : mail,
      caller.origin,
    );
  });
  return getRequest(app, caller, id, { audit: false });
}
