import crypto from 'node:crypto';
import type { AppContext } from '../app-context.ts';
import { recordAudit, type AuditOrigin } from '../audit/service.ts';
import { workspaceIdBySlug } from '../forms/cookie-banner.ts';
import { signLink, verifyLink } from '../consent/links.ts';
import { applyPreferences, preferenceItems, SUPPRESSION_LIFTED, type Preference } from '../consent/preferences.ts';
import { Sealer } from '../crypto/sealer.ts';
import { nameTokens, normaliseEmail, phoneKeys } from '../shared/normalise.ts';
import { withTenant, type Tx } from '../db/tenant.ts';
import type { DsrType } from '../db/types-rights.ts';
import { hitPublicLimits } from '../http/public-limits.ts';
import { accessReport, type AccessReport } from './access-report.ts';
import { objectToDirectMarketing, optOutOfSaleSharing, restrictSubject } from './execute.ts';
import { queueRightsInConnectedCrms } from '../sync/rights.ts';
import { GPC_SOURCE, recordSaleSharingChoices, saleSharingOptedOut } from '../consent/sale-sharing.ts';
import { hasRight, PROFILES, type RightKey } from '../jurisdiction/profiles.ts';
import { subjectJurisdiction, type ResolvedJurisdiction } from '../jurisdiction/service.ts';
import { accessReportZip } from './export-zip.ts';
import { addEvidence, owedToConnectedCrms } from './evidence.ts';
import { insertRequest, sendReceipt } from './requests.ts';
import { findSubject, openValue, type Subject } from './subject.ts';

/** A magic link works for 15 minutes, once; the session it opens lasts 30 minutes. */
export const LINK_MINUTES = 15;
export const SESSION_MINUTES = 30;

export interface PortalVisitor {
  ip: string;
  userAgent: string | null;
  requestId: string;
  /** The browser sent a Global Privacy Control signal (Sec-GPC: 1). */
  gpc: boolean;
}

export interface PortalSession {
  tenantId: string;
  workspace: { slug: string; name: string };
  linkId: string;
  email: string;
}

function visitorOrigin(visitor: PortalVisitor, actorId: string | null = null): AuditOrigin {
  return { actorType: 'data_subject', actorId, ip: visitor.ip, userAgent: visitor.userAgent, requestId: visitor.requestId };
}

/**
 * Sends a sign-in link to the address, whether or not the workspace knows it: the code path,
 * the response and the email are the same either way, so nothing tells a visitor whether an
 * address is in the CRM. Someone the CRM does not know simply sees, after signing in, that
 * nothing is held about them — which is itself the answer Art. 15 requires.
 */
export async function requestPortalLink(app: AppContext, slug: string, rawEmail: string, visitor: PortalVisitor): Promise<void> {
  const email = normaliseEmail(rawEmail);
  const tenantId = await workspaceIdBySlug(app, slug);
  if (!tenantId) return;
  const addressKey = crypto.createHash('sha256').update(`${tenantId}:${email}`).digest('base64url');
  await hitPublicLimits(app.db, [
    { key: `portal:${visitor.ip}`, max: 10, windowSeconds: 600 },
    { key: `portal-address:${addressKey}`, max: 3, windowSeconds: 600 },
  ]);
  const linkId = crypto.randomUUID();
  const expiresAt = new Date(Date.now() + LINK_MINUTES * 60_000);
  const { workspace, emailIndex } = await withTenant(app.db, tenantId, async (tx) => {
    const emailIndex = await new Sealer(app, tx, tenantId).index('email', email);
    await tx
      .insertInto('portal_links')
      .values({
        tenant_id: tenantId,
        id: linkId,
        email_index: emailIndex,
        email_enc: await app.keys.encryptField(tx, tenantId, linkId, 'portal_links.email', email),
        expires_at: expiresAt,
      })
      .execute();
    await recordAudit(tx, tenantId, visitorOrigin(visitor), {
      action: 'portal.link_requested',
      objectType: 'portal_link',
      objectId: linkId,
      fields: [],
    });
    return { workspace: await tx.selectFrom('tenants').select('name').where('id', '=', tenantId).executeTakeFirstOrThrow(), emailIndex };
  });
  const link = `${app.config.publicUrl}/privacy/${slug}/open/${signLink(app.keys, 'portal', [tenantId, linkId], expiresAt)}`;
  await app.mailer.send({
    to: email,
    subject: `Your privacy link for ${workspace.name}`,
    text:
      `Someone (we hope you) asked to see what ${workspace.name} holds about this address.\n\n` +
      `Follow this link within ${LINK_MINUTES} minutes; it works once:\n${link}\n\n` +
      'If you did not ask, ignore this email.\n',
    subjects: [emailIndex],
  });
}

/**
 * "Do Not Sell or Share My Personal Information" without signing in: an opt-out needs no
 * verification (Cal. Code Regs. tit. 11, 7026(d)), and opting someone out only ever narrows what
 * is done with their data. Recorded for every record holding the address, with a completed
 * request as evidence — for an address no record holds too (the evidence then says so): the
 * work, and so the time the answer takes, is the same whether or not the address is known.
 */
export async function publicOptOut(app: AppContext, slug: string, rawEmail: string, visitor: PortalVisitor): Promise<void> {
  const email = normaliseEmail(rawEmail);
  const tenantId = await workspaceIdBySlug(app, slug);
  if (!tenantId) return;
  await hitPublicLimits(app.db, [{ key: `opt-out:${visitor.ip}`, max: 20, windowSeconds: 600 }]);
  await withTenant(app.db, tenantId, async (tx) => {
    const subject = await findSubject(app, tx, tenantId, email);
    const origin = visitorOrigin(visitor, subject.people[0]?.id ?? null);
    const requestId = await insertRequest(
      app,
      tx,
      tenantId,
      {
        type: 'opt_out_sale_sharing',
        channel: 'portal',
        email,
        name: null,
        details: visitor.gpc ? `Do Not Sell or Share page; ${GPC_SOURCE}` : 'Do Not Sell or Share page',
        receivedAt: new Date(),
        identityStatus: 'unverified',
        identityMethod: 'none needed for an opt-out (Cal. Code Regs. tit. 11, 7026(d))',
        assigneeId: null,
        status: 'completed',
      },
      origin,
    );
    const count = await optOutOfSaleSharing(app, tx, tenantId, subject, origin, `Opt-out request ${requestId}`);
    const done =
      count > 0
        ? `Opt-out of sale and sharing recorded at once for ${count} record(s).`
        : 'No record holds this address: nothing is sold or shared under it.';
    await addEvidence(app, tx, tenantId, requestId, 'done', done, origin);
  });
}

export type OpenOutcome = { ok: true; sessionToken: string } | { ok: false; reason: 'invalid' | 'expired' | 'used' };

/** Follows a magic link, once: it becomes a short session bound to the address. */
export async function openPortalLink(app: AppContext, slug: string, token: string, visitor: PortalVisitor): Promise<OpenOutcome> {
  const check = verifyLink(app.keys, 'portal', token, 2);
  if (!check.ok) return { ok: false, reason: check.reason };
  const [tenantId, linkId] = check.values as [string, string];
  if ((await workspaceIdBySlug(app, slug)) !== tenantId) return { ok: false, reason: 'invalid' };
  return withTenant(app.db, tenantId, async (tx) => {
    const link = await tx
      .selectFrom('portal_links')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', linkId)
      .forUpdate()
      .executeTakeFirst();
    if (!link) return { ok: false as const, reason: 'invalid' as const };
    if (link.used_at) return { ok: false as const, reason: 'used' as const };
    if (new Date(link.expires_at) < new Date()) return { ok: false as const, reason: 'expired' as const };
    await tx.updateTable('portal_links').set({ used_at: new Date() }).where('tenant_id', '=', tenantId).where('id', '=', linkId).execute();
    await recordAudit(tx, tenantId, visitorOrigin(visitor), {
      action: 'portal.sign_in',
      objectType: 'portal_link',
      objectId: linkId,
      fields: [],
    });
    return {
      ok: true as const,
      sessionToken: signLink(app.keys, 'portal_session', [tenantId, linkId], new Date(Date.now() + SESSION_MINUTES * 60_000)),
    };
  });
}

/** The session behind the portal cookie, or null when absent, forged or expired. */
export async function portalSession(app: AppContext, slug: string, token: string | undefined): Promise<PortalSession | null> {
  if (!token) return null;
  const check = verifyLink(app.keys, 'portal_session', token, 2);
  if (!check.ok) return null;
  const [tenantId, linkId] = check.values as [string, string];
  if ((await workspaceIdBySlug(app, slug)) !== tenantId) return null;
  return withTenant(app.db, tenantId, async (tx) => {
    const link = await tx
      .selectFrom('portal_links')
      .select(['email_enc', 'used_at', 'signed_out_at'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', linkId)
      .executeTakeFirst();
    if (!link?.used_at || link.signed_out_at) return null;
    const email = (await openValue(app, tx, tenantId, 'portal_links.email', link.email_enc)) as string | null;
    if (!email) return null;
    const workspace = await tx.selectFrom('tenants').select(['slug', 'name']).where('id', '=', tenantId).executeTakeFirstOrThrow();
    return { tenantId, workspace, linkId, email };
  });
}

/** Ends the session on the server, so the cookie is worthless wherever a copy of it is. */
export async function portalSignOut(app: AppContext, session: PortalSession, visitor: PortalVisitor): Promise<void> {
  await withTenant(app.db, session.tenantId, async (tx) => {
    await tx
      .updateTable('portal_links')
      .set({ signed_out_at: new Date() })
      .where('tenant_id', '=', session.tenantId)
      .where('id', '=', session.linkId)
      .execute();
    await recordAudit(tx, session.tenantId, visitorOrigin(visitor), {
      action: 'portal.sign_out',
      objectType: 'portal_link',
      objectId: session.linkId,
      fields: [],
    });
  });
}

export interface PortalView {
  report: AccessReport;
  preferences: Preference[];
  restricted: boolean;
  selfAsserted: boolean;
  jurisdiction: ResolvedJurisdiction;
  /** Every record of the person is opted out of sale and sharing. */
  saleOptedOut: boolean;
  /** A Global Privacy Control signal came with this visit and was recorded as an opt-out. */
  gpcHonoured: boolean;
}

/**
 * A Global Privacy Control signal from a known visitor is their opt-out of sale and sharing
 * (Cal. Code Regs. tit. 11, 7025): recorded in the ledger for each of their records, once.
 */
async function honourGpc(app: AppContext, tx: Tx, tenantId: string, subject: Subject, visitor: PortalVisitor): Promise<boolean> {
  if (!visitor.gpc || subject.people.length === 0) return false;
  await recordSaleSharingChoices(app, tx, tenantId, subject.people, {
    optedOut: true,
    method: 'portal',
    source: GPC_SOURCE,
    ip: visitor.ip,
    userAgent: visitor.userAgent,
  });
  return true;
}

/** Everything the signed-in person sees; the visit is itself in the audit trail. */
export async function portalView(app: AppContext, session: PortalSession, visitor: PortalVisitor): Promise<PortalView> {
  return withTenant(app.db, session.tenantId, async (tx) => {
    const subject = await findSubject(app, tx, session.tenantId, session.email);
    const gpcHonoured = await honourGpc(app, tx, session.tenantId, subject, visitor);
    const report = await accessReport(app, tx, session.tenantId, subject);
    const first = subject.people[0];
    const preferences = first ? await preferenceItems(tx, session.tenantId, first.id) : [];
    const restricted =
      subject.people.length > 0 &&
      Boolean(
        await tx
          .selectFrom('processing_restrictions')
          .select('person_id')
          .where('tenant_id', '=', session.tenantId)
          .where(
            'person_id',
            'in',
            subject.people.map((p) => p.id),
          )
          .executeTakeFirst(),
      );
    await recordAudit(tx, session.tenantId, visitorOrigin(visitor, first?.id ?? null), {
      action: 'portal.view',
      objectType: 'portal_link',
      objectId: session.linkId,
      fields: subject.people.map((p) => `${p.type}:${p.id}`),
    });
    const optedOut = await saleSharingOptedOut(
      tx,
      session.tenantId,
      subject.people.map((p) => p.id),
    );
    return {
      report,
      preferences,
      restricted,
      selfAsserted: await isSelfAsserted(tx, session.tenantId, subject),
      jurisdiction: await subjectJurisdiction(tx, session.tenantId, subject.people),
      saleOptedOut: subject.people.length > 0 && optedOut.size === subject.people.length,
      gpcHonoured,
    };
  });
}

/** Data the person typed in themselves (every record came from a form) may be corrected directly. */
async function isSelfAsserted(tx: Tx, tenantId: string, subject: Subject): Promise<boolean> {
  if (subject.people.length === 0) return false;
  for (const person of subject.people) {
    const table = person.type === 'contact' ? 'contacts' : 'leads';
    const row = await tx
      .selectFrom(table)
      .select('source_type')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', person.id)
      .executeTakeFirstOrThrow();
    if (row.source_type !== 'form') return false;
  }
  return true;
}

/** A request made from the portal: identity is verified (the person followed the link). */
async function portalRequest(
  app: AppContext,
  tx: Tx,
  session: PortalSession,
  visitor: PortalVisitor,
  type: DsrType,
  details: string | null,
  completed: boolean,
): Promise<string> {
  return insertRequest(
    app,
    tx,
    session.tenantId,
    {
      type,
      channel: 'portal',
      email: session.email,
      name: null,
      details,
      receivedAt: new Date(),
      identityStatus: 'verified',
      identityMethod: 'email link (privacy portal)',
      assigneeId: null,
      ...(completed ? { status: 'completed' as const } : {}),
    },
    visitorOrigin(visitor),
  );
}

/** Portability (Art. 20): the zip, recorded as a completed access request with its evidence. */
export async function portalDownload(app: AppContext, session: PortalSession, visitor: PortalVisitor): Promise<Buffer> {
  return withTenant(app.db, session.tenantId, async (tx) => {
    const subject = await findSubject(app, tx, session.tenantId, session.email);
    const report = await accessReport(app, tx, session.tenantId, subject);
    const requestId = await portalRequest(app, tx, session, visitor, 'portability', 'Downloaded from the privacy portal', true);
    const fields = report.data.filter((field) => field.values.length > 0).length;
    await addEvidence(
      app,
      tx,
      session.tenantId,
      requestId,
      'sent',
      `Zip downloaded from the privacy portal: ${fields} fields with data, ${report.consentHistory.length} consent events.`,
      visitorOrigin(visitor),
    );
    return accessReportZip(report);
  });
}

export type PortalAction =
  | { kind: 'consents'; wanted: Set<string>; objections: Set<string> }
  | { kind: 'rectify'; field: 'firstName' | 'lastName' | 'jobTitle' | 'phone'; value: string }
  | { kind: 'erase'; details: string | null }
  | { kind: 'restrict'; reason: string }
  | { kind: 'object' }
  | { kind: 'sale_sharing'; optedOut: boolean }
  | { kind: 'limit'; details: string | null };

/** The right each portal action exercises; the portal offers an action only where the person's law grants it. */
const ACTION_RIGHT: Record<Exclude<PortalAction['kind'], 'consents'>, RightKey> = {
  rectify: 'rectification',
  erase: 'erasure',
  restrict: 'restriction',
  object: 'objection',
  sale_sharing: 'opt_out_sale_sharing',
  limit: 'limit_sensitive',
};

export function portalOffers(jurisdiction: ResolvedJurisdiction, kind: PortalAction['kind']): boolean {
  return kind === 'consents' || hasRight(jurisdiction.jurisdiction, ACTION_RIGHT[kind]);
}

/** An action the person's law does not give them; the page says so instead of acting. */
export class PortalActionRefused extends Error {}

const FIELD_COLUMNS = { firstName: 'first_name', lastName: 'last_name', jobTitle: 'job_title' } as const;

/**
 * What the person does in the portal. Consents and objection to direct marketing take effect at
 * once; restriction too (it only ever narrows processing). Rectification of data they typed in
 * themselves is applied, otherwise queued for review; erasure is queued for staff, who execute it.
 * Every action is a request in the queue, with its evidence. Returns a message for the person.
 */
export async function portalAct(app: AppContext, session: PortalSession, visitor: PortalVisitor, action: PortalAction): Promise<string> {
  const { tenantId } = session;
  const result = await withTenant(app.db, tenantId, async (tx) => {
    const acted = await act(tx);
    // The receipt is queued with the request it confirms (a crash cannot keep one without the other).
    if (acted.notify) await sendReceipt(app, tx, tenantId, acted.notify.requestId, session.workspace.name, visitorOrigin(visitor));
    return acted;
  });
  if ('refused' in result) throw new PortalActionRefused(result.message);
  return result.message;

  async function act(tx: Tx) {
    const subject = await findSubject(app, tx, tenantId, session.email);
    const origin = visitorOrigin(visitor, subject.people[0]?.id ?? null);
    const jurisdiction = await subjectJurisdiction(tx, tenantId, subject.people);
    if (!portalOffers(jurisdiction, action.kind)) {
      return {
        message: `${PROFILES[jurisdiction.jurisdiction].name} does not give this right; see the rights listed on your page.`,
        notify: null,
        refused: true,
      };
    }
    switch (action.kind) {
      case 'consents': {
        let changes = 0;
        let lifted = 0;
        for (const person of subject.people) {
          const applied = await applyPreferences(app, tx, tenantId, person, action.wanted, action.objections, visitor, {
            method: 'portal',
            source: 'Privacy portal',
          });
          changes += applied.changes;
          lifted += applied.liftedSuppressions;
        }
        await recordAudit(tx, tenantId, origin, {
          action: 'consent.preferences',
          objectType: 'portal_link',
          objectId: session.linkId,
          fields: [`changes:${changes}`, ...(lifted > 0 ? ['suppression:lifted'] : [])],
        });
        return { message: `${changes} change(s) recorded.${lifted > 0 ? ' ' + SUPPRESSION_LIFTED : ''}`, notify: null };
      }
      case 'object': {
        const requestId = await portalRequest(
          app,
          tx,
          session,
          visitor,
          'objection',
          'Objection to direct marketing (privacy portal)',
          true,
        );
        const { recorded, connectedCopies } = await objectToDirectMarketing(app, tx, tenantId, subject, origin, requestId);
        await addEvidence(
          app,
          tx,
          tenantId,
          requestId,
          'done',
          `Objection to direct marketing recorded at once (${recorded} purpose/record pair(s)); address suppressed.` +
            owedToConnectedCrms(connectedCopies, 'An unsubscription is'),
          origin,
        );
        return { message: 'You will receive no more direct marketing from us.', notify: null };
      }
      case 'restrict': {
        const requestId = await portalRequest(app, tx, session, visitor, 'restriction', action.reason, true);
        const count = await restrictSubject(tx, tenantId, subject, `Art. 18 request ${requestId}: ${action.reason}`, null);
        await addEvidence(app, tx, tenantId, requestId, 'done', `Restricted ${count} record(s) at once.`, origin);
        return {
          message: 'Processing of your data is restricted: we only store it now. We will tell you before lifting the restriction.',
          notify: null,
        };
      }
      case 'erase': {
        const requestId = await portalRequest(app, tx, session, visitor, 'erasure', action.details, false);
        return {
          message: 'Your erasure request is received. We will confirm by email when it is done.',
          notify: { requestId, type: 'erasure' as const },
        };
      }
      case 'sale_sharing': {
        if (!action.optedOut) {
          await recordSaleSharingChoices(app, tx, tenantId, subject.people, {
            optedOut: false,
            method: 'portal',
            source: 'Privacy portal',
            ip: visitor.ip,
            userAgent: visitor.userAgent,
          });
          await recordAudit(tx, tenantId, origin, {
            action: 'consent.sale_sharing',
            objectType: 'portal_link',
            objectId: session.linkId,
            fields: ['opted_in'],
          });
          return {
            message: 'You opted back in: we may sell or share your personal information as our privacy notice describes.',
            notify: null,
          };
        }
        const requestId = await portalRequest(
          app,
          tx,
          session,
          visitor,
          'opt_out_sale_sharing',
          'Do Not Sell or Share My Personal Information (privacy portal)',
          true,
        );
        const count = await optOutOfSaleSharing(app, tx, tenantId, subject, origin, `Opt-out request ${requestId}`);
        const done =
          count > 0
            ? `Opt-out of sale and sharing recorded at once for ${count} record(s).`
            : 'No record holds this address: nothing is sold or shared under it.';
        await addEvidence(app, tx, tenantId, requestId, 'done', done, origin);
        return { message: 'We will not sell or share your personal information.', notify: null };
      }
      case 'limit': {
        const requestId = await portalRequest(app, tx, session, visitor, 'limit_sensitive', action.details, false);
        return {
          message: 'Your request to limit the use of your sensitive personal information is received.',
          notify: { requestId, type: 'limit_sensitive' as const },
        };
      }
      case 'rectify': {
        const details = `Correct ${action.field} to "${action.value}"`;
        if (!(await isSelfAsserted(tx, tenantId, subject))) {
          const requestId = await portalRequest(app, tx, session, visitor, 'rectification', details, false);
          return {
            message: 'Your correction is received; we check it and confirm by email.',
            notify: { requestId, type: 'rectification' as const },
          };
        }
        const requestId = await portalRequest(app, tx, session, visitor, 'rectification', details, true);
        await rectify(app, tx, tenantId, subject, action.field, action.value);
        const connectedCopies = await queueRightsInConnectedCrms(tx, tenantId, 'rectification', subject.people, requestId);
        await addEvidence(
          app,
          tx,
          tenantId,
          requestId,
          'done',
          `${details}: applied to ${subject.people.length} record(s) (data the person entered themselves).` +
            owedToConnectedCrms(connectedCopies, 'The correction is'),
          origin,
        );
        return { message: 'Corrected.', notify: null };
      }
    }
  }
}

async function rectify(
  app: AppContext,
  tx: Tx,
  tenantId: string,
  subject: Subject,
  field: 'firstName' | 'lastName' | 'jobTitle' | 'phone',
  value: string,
): Promise<void> {
  const sealer = new Sealer(app, tx, tenantId);
  for (const person of subject.people) {
    const table = person.type === 'contact' ? 'contacts' : 'leads';
    const set: Record<string, unknown> = {};
    if (field === 'phone') {
      const phoneIndex = await sealer.indexAll('phone', phoneKeys([value]));
      if (person.type === 'contact')
        Object.assign(set, { phones_enc: await sealer.seal(person.id, 'contacts.phones', [value]), phone_index: phoneIndex });
      else Object.assign(set, { phone_enc: await sealer.seal(person.id, 'leads.phone', value), phone_index: phoneIndex[0] ?? null });
    } else {
      set[`${FIELD_COLUMNS[field]}_enc`] = await sealer.seal(person.id, `${table}.${FIELD_COLUMNS[field]}`, value);
    }
    if (field === 'firstName' || field === 'lastName') {
      const row = await tx
        .selectFrom(table)
        .select(['first_name_enc', 'last_name_enc'])
        .where('tenant_id', '=', tenantId)
        .where('id', '=', person.id)
        .executeTakeFirstOrThrow();
      const first = field === 'firstName' ? value : await sealer.open<string>(`${table}.first_name`, row.first_name_enc);
      const last = field === 'lastName' ? value : await sealer.open<string>(`${table}.last_name`, row.last_name_enc);
      set.name_index = await sealer.indexAll('name', nameTokens(first, last));
    }
    await tx
      .updateTable(table)
      .set({ ...set, updated_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', person.id)
      .execute();
  }
}
