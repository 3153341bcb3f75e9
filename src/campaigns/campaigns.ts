import { sql, type Selectable } from 'kysely';
import type { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { recordAudit } from '../audit/service.ts';
import type { Caller } from '../auth/context.ts';
import { crmWork, iso, isoRequired, type CrmWork } from '../crm/context.ts';
import { recordVisible } from '../crm/visibility.ts';
import { evaluateGate, recordRefusals, type Verdict } from '../consent/gate.ts';
import { recordConsentEvent, type PersonRef } from '../consent/ledger.ts';
import { signLink } from '../consent/links.ts';
import { loadPeople, TABLE_OF_PERSON, type PersonDetails } from '../consent/people.ts';
import { findPurpose, purposeReference, type PurposeRow } from '../consent/purposes.ts';
import { withTenant, type Tx } from '../db/tenant.ts';
import type { CampaignsTable } from '../db/types-consent.ts';
import { conflict, notFound, unprocessable } from '../http/errors.ts';
import { enqueue, type Job, type Lease } from '../jobs/queue.ts';
import { sendToPerson, withoutAddresses } from '../mail/outbox.ts';
import type { campaignInput, campaignView, repermissionInput } from './schema.ts';
import { findSegment, segmentMembers } from './segments.ts';
import { findTemplate, render } from './templates.ts';

type CampaignRow = Selectable<CampaignsTable>;

export const SEND_QUEUE = 'campaign.send';
const BATCH = 50;

export function campaignToView(row: CampaignRow): z.infer<typeof campaignView> {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    purposeId: row.purpose_id,
    segmentId: row.segment_id,
    templateId: row.template_id,
    inactiveMonths: row.inactive_months,
    confirmWithinDays: row.confirm_within_days,
    status: row.status,
    recipients: row.recipients,
    sent: row.sent,
    failed: row.failed,
    excluded: row.excluded,
    expired: row.expired,
    createdAt: isoRequired(row.created_at),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    confirmBy: iso(row.confirm_by),
  };
}

async function findCampaign(tx: Tx, tenantId: string, id: string): Promise<CampaignRow> {
  const row = await tx.selectFrom('campaigns').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Campaign');
  return row;
}

export function listCampaigns(app: AppContext, caller: Caller) {
  return crmWork(app, caller, async (work) => ({
    items: (await work.tx.selectFrom('campaigns').selectAll().where('tenant_id', '=', work.tenantId).orderBy('created_at', 'desc').orderBy('id').limit(500).execute()).map(campaignToView),
  }));
}

export function getCampaign(app: AppContext, caller: Caller, id: string) {
  return crmWork(app, caller, async (work) => campaignToView(await findCampaign(work.tx, work.tenantId, id)));
}

export function createCampaign(app: AppContext, caller: Caller, input: z.infer<typeof campaignInput>) {
  return crmWork(app, caller, async (work) => {
    await purposeReference(work.tx, work.tenantId, input.purposeId);
    await findSegment(work, input.segmentId).catch(() => {
      throw unprocessable('segmentId does not name a segment.', { field: 'segmentId' });
    });
    await findTemplate(work.tx, work.tenantId, input.templateId, 'templateId');
    const row = await work.tx
      .insertInto('campaigns')
      .values({ tenant_id: work.tenantId, kind: 'campaign', name: input.name, purpose_id: input.purposeId, segment_id: input.segmentId, template_id: input.templateId, created_by: work.memberId })
      .returningAll()
      .executeTakeFirstOrThrow();
    await work.audit({ action: 'campaign.create', objectType: 'campaign', objectId: row.id, fields: Object.keys(input) });
    return campaignToView(row);
  });
}

export function createRepermission(app: AppContext, caller: Caller, input: z.infer<typeof repermissionInput>) {
  return crmWork(app, caller, async (work) => {
    const purpose = await purposeReference(work.tx, work.tenantId, input.purposeId);
    if (purpose.legal_basis !== 'consent') throw unprocessable('Re-permission asks for consent: the purpose must be based on consent.', { field: 'purposeId' });
    await findTemplate(work.tx, work.tenantId, input.templateId, 'templateId');
    const row = await work.tx
      .insertInto('campaigns')
      .values({
        tenant_id: work.tenantId,
        kind: 'repermission',
        name: input.name,
        purpose_id: input.purposeId,
        template_id: input.templateId,
        inactive_months: input.inactiveMonths,
        confirm_within_days: input.confirmWithinDays,
        created_by: work.memberId,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await work.audit({ action: 'campaign.create', objectType: 'campaign', objectId: row.id, fields: Object.keys(input) });
    return campaignToView(row);
  });
}

async function visibleOnly(work: CrmWork, people: PersonRef[]): Promise<PersonRef[]> {
  const out: PersonRef[] = [];
  for (const type of ['contact', 'lead'] as const) {
    const ids = people.filter((person) => person.type === type).map((person) => person.id);
    const table = TABLE_OF_PERSON[type];
    for (let i = 0; i < ids.length; i += 1000) {
      const rows = await work.tx
        .selectFrom(table)
        .select(`${table}.id` as 'id')
        .where(`${table}.tenant_id` as 'tenant_id', '=', work.tenantId)
        .where(`${table}.id` as 'id', 'in', ids.slice(i, i + 1000))
        .where(recordVisible(work.scope, table, type))
        .execute();
      for (const row of rows) out.push({ type, id: row.id });
    }
  }
  return out;
}

/**
 * Re-permission targets: people whose consent for the purpose is no longer valid (expired,
 * never confirmed) or was granted more than inactiveMonths ago with nothing newer. People who
 * said no (withdrew, objected) are never asked again: asking them would itself be marketing
 * they refused.
 */
async function repermissionTargets(work: CrmWork, campaign: CampaignRow): Promise<PersonRef[]> {
  const rows = await work.tx
    .selectFrom('consent_states')
    .select(['person_id', 'person_type'])
    .where('tenant_id', '=', work.tenantId)
    .where('purpose_id', '=', campaign.purpose_id)
    .where((eb) =>
      eb.or([
        eb('state', 'in', ['expired', 'pending']),
        eb.and([eb('state', '=', 'granted'), eb('since', '<', sql<Date>`now() - make_interval(months => ${campaign.inactive_months!})`)]),
      ]),
    )
    .execute();
  return visibleOnly(work, rows.map((row) => ({ type: row.person_type, id: row.person_id })));
}

/** Who a send would reach and who the gate refuses, by reason. */
async function audience(work: CrmWork, campaign: CampaignRow, purpose: PurposeRow): Promise<{ allowed: PersonRef[]; verdicts: Map<string, Verdict> }> {
  if (campaign.kind === 'campaign') {
    const people = await segmentMembers(work, await findSegment(work, campaign.segment_id!));
    const verdicts = await evaluateGate(work.tx, work.tenantId, purpose, people);
    return { allowed: people.filter((person) => verdicts.get(person.id)!.allowed), verdicts };
  }
  // Re-permission asks for a consent the person lacks: only the refusals that are not about
  // the consent itself apply (restricted, objected, suppressed, purpose inactive).
  const people = await repermissionTargets(work, campaign);
  const verdicts = await evaluateGate(work.tx, work.tenantId, purpose, people);
  const CONSENT_REASONS = new Set(['no_consent', 'consent_pending', 'consent_expired']);
  for (const [id, verdict] of verdicts) if (!verdict.allowed && CONSENT_REASONS.has(verdict.reason)) verdicts.set(id, { allowed: true });
  return { allowed: people.filter((person) => verdicts.get(person.id)!.allowed), verdicts };
}

function countRefusals(verdicts: Map<string, Verdict>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const verdict of verdicts.values()) if (!verdict.allowed) counts[verdict.reason] = (counts[verdict.reason] ?? 0) + 1;
  return counts;
}

export function previewCampaign(app: AppContext, caller: Caller, id: string) {
  return crmWork(app, caller, async (work) => {
    const campaign = await findCampaign(work.tx, work.tenantId, id);
    const purpose = await findPurpose(work.tx, work.tenantId, campaign.purpose_id);
    const { allowed, verdicts } = await audience(work, campaign, purpose);
    return { recipients: allowed.length, excluded: countRefusals(verdicts) };
  });
}

/**
 * Starts a send: the gate decides who may receive it, the refused are recorded with their
 * reason, and a durable job sends to the rest in batches (resumable, each person at most once).
 */
export function sendCampaign(app: AppContext, caller: Caller, id: string) {
  return crmWork(app, caller, async (work) => {
    const campaign = await findCampaign(work.tx, work.tenantId, id);
    if (campaign.status !== 'draft') throw conflict(`This campaign is already ${campaign.status}.`, { status: campaign.status });
    const purpose = await findPurpose(work.tx, work.tenantId, campaign.purpose_id);
    if (purpose.status !== 'active') throw unprocessable(`The purpose "${purpose.name}" is not active: nothing may be sent for it.`, { field: 'purposeId' });
    const { allowed, verdicts } = await audience(work, campaign, purpose);
    const path = campaign.kind === 'campaign' ? 'campaign' : 'repermission';
    const excluded = await recordRefusals(work.tx, work.tenantId, path, campaign.id, purpose.id, verdicts);
    for (let i = 0; i < allowed.length; i += 1000) {
      await work.tx
        .insertInto('campaign_recipients')
        .values(allowed.slice(i, i + 1000).map((person) => ({ tenant_id: work.tenantId, campaign_id: campaign.id, person_id: person.id, person_type: person.type })))
        .execute();
    }
    const confirmBy = campaign.kind === 'repermission' ? new Date(Date.now() + campaign.confirm_within_days! * 86_400_000) : null;
    const row = await work.tx
      .updateTable('campaigns')
      .set({ status: 'sending', recipients: allowed.length, excluded: JSON.stringify(excluded), started_at: new Date(), confirm_by: confirmBy })
      .where('tenant_id', '=', work.tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await enqueue(work.tx, { queue: SEND_QUEUE, tenantId: work.tenantId, payload: { campaignId: id }, singletonKey: `campaign:${id}` });
    await work.audit({ action: 'campaign.send', objectType: 'campaign', objectId: id, fields: [`recipients:${allowed.length}`, ...Object.entries(excluded).map(([reason, n]) => `excluded.${reason}:${n}`)] });
    return campaignToView(row);
  });
}

/** The links every marketing email carries: one-click unsubscribe, preference centre, privacy portal. */
export function emailLinks(app: AppContext, tenantId: string, slug: string, person: PersonRef, purposeId: string) {
  return {
    unsubscribe: `${app.config.publicUrl}/u/${signLink(app.keys, 'unsubscribe', [tenantId, person.type, person.id, purposeId])}`,
    preferences: `${app.config.publicUrl}/p/${signLink(app.keys, 'preferences', [tenantId, person.type, person.id])}`,
    portal: `${app.config.publicUrl}/privacy/${slug}`,
  };
}

function composeMail(app: AppContext, campaign: CampaignRow, template: { subject: string; body: string }, person: PersonDetails, tenant: { id: string; slug: string; name: string }) {
  const to = person.emails[0]!;
  const { subject, body } = render(template, person, to);
  const links = emailLinks(app, tenant.id, tenant.slug, person, campaign.purpose_id);
  let text = body;
  if (campaign.kind === 'repermission') {
    const confirm = `${app.config.publicUrl}/r/${signLink(app.keys, 'repermission', [tenant.id, campaign.id, person.type, person.id], campaign.confirm_by!)}`;
    text += `\n\nTo keep hearing from us, confirm before ${new Date(campaign.confirm_by!).toISOString().slice(0, 10)}:\n${confirm}\nIf you do not confirm, we will stop.`;
  }
  text +=
    `\n\n--\nYou receive this from ${tenant.name}.\n` +
    `Unsubscribe: ${links.unsubscribe}\n` +
    `Your preferences: ${links.preferences}\n` +
    `Your data and your rights: ${links.portal}\n`;
  return {
    to,
    subject,
    text,
    headers: {
      'List-Unsubscribe': `<${links.unsubscribe}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  };
}

/**
 * The send job. Works through the queued recipients in batches; each person is marked sent in
 * the transaction that records the email, so a resumed job skips them. The gate is asked again
 * per batch: a withdrawal that arrives during the send is honoured at once.
 */
export async function runCampaignSend(app: AppContext, job: Job, lease: Lease): Promise<void> {
  const tenantId = job.tenant_id!;
  const campaignId = String(job.payload.campaignId);
  const context = await withTenant(app.db, tenantId, async (tx) => {
    const campaign = await findCampaign(tx, tenantId, campaignId);
    return {
      campaign,
      purpose: await findPurpose(tx, tenantId, campaign.purpose_id),
      template: await findTemplate(tx, tenantId, campaign.template_id),
      tenant: await tx.selectFrom('tenants').select(['id', 'slug', 'name']).where('id', '=', tenantId).executeTakeFirstOrThrow(),
    };
  });
  const { campaign, purpose, template, tenant } = context;
  if (campaign.status !== 'sending') return;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const batch = await withTenant(app.db, tenantId, (tx) =>
      tx
        .selectFrom('campaign_recipients')
        .select(['person_id', 'person_type'])
        .where('tenant_id', '=', tenantId)
        .where('campaign_id', '=', campaignId)
        .where('status', '=', 'queued')
        .where('person_id', '>', after)
        .orderBy('person_id')
        .limit(BATCH)
        .execute(),
    );
    if (batch.length === 0) break;
    after = batch[batch.length - 1]!.person_id;
    const people = batch.map((row) => ({ type: row.person_type, id: row.person_id }));
    const { details, verdicts } = await withTenant(app.db, tenantId, async (tx) => ({
      details: await loadPeople(app, tx, tenantId, people),
      verdicts: campaign.kind === 'campaign' ? await evaluateGate(tx, tenantId, purpose, people) : null,
    }));
    for (const person of people) {
      await withTenant(app.db, tenantId, async (tx) => {
        const verdict = verdicts?.get(person.id);
        const found = details.get(person.id);
        let status: 'sent' | 'failed' = 'sent';
        let error: string | null = null;
        if (verdict && !verdict.allowed) {
          status = 'failed';
          error = `refused: ${verdict.reason}`;
          await recordRefusals(tx, tenantId, 'campaign', campaignId, purpose.id, new Map([[person.id, verdict]]));
        } else if (!found || found.emails.length === 0) {
          status = 'failed';
          error = 'no email address';
        } else {
          try {
            if (campaign.kind === 'repermission') {
              await recordConsentEvent(app, tx, tenantId, {
                person,
                purpose,
                kind: 'repermission_requested',
                method: 'email_link',
                source: `campaign:${campaignId}`,
                actor: { type: 'system', id: null },
              });
            }
            const mail = composeMail(app, campaign, template, found, tenant);
            await sendToPerson(app, tx, tenantId, { personId: person.id, kind: campaign.kind === 'campaign' ? 'campaign' : 'repermission', campaignId, mail });
          } catch (sendError) {
            status = 'failed';
            error = withoutAddresses(sendError instanceof Error ? sendError.message : String(sendError)).slice(0, 500);
          }
        }
        await tx
          .updateTable('campaign_recipients')
          .set({ status, error, sent_at: status === 'sent' ? new Date() : null })
          .where('tenant_id', '=', tenantId)
          .where('campaign_id', '=', campaignId)
          .where('person_id', '=', person.id)
          .execute();
      });
    }
    await updateCounters(app, tenantId, campaignId, false);
    await lease.renew();
  }
  await updateCounters(app, tenantId, campaignId, true);
}

async function updateCounters(app: AppContext, tenantId: string, campaignId: string, finished: boolean): Promise<void> {
  await withTenant(app.db, tenantId, async (tx) => {
    const counts = await tx
      .selectFrom('campaign_recipients')
      .select([sql<string>`count(*) filter (where status = 'sent')`.as('sent'), sql<string>`count(*) filter (where status = 'failed')`.as('failed')])
      .where('tenant_id', '=', tenantId)
      .where('campaign_id', '=', campaignId)
      .executeTakeFirstOrThrow();
    const late = await tx
      .selectFrom('campaign_recipients')
      .select(['error', sql<string>`count(*)`.as('n')])
      .where('tenant_id', '=', tenantId)
      .where('campaign_id', '=', campaignId)
      .where('error', 'like', 'refused: %')
      .groupBy('error')
      .execute();
    const campaign = await findCampaign(tx, tenantId, campaignId);
    const excluded = { ...campaign.excluded };
    if (finished) for (const row of late) excluded[`${row.error!.slice('refused: '.length)}_during_send`] = Number(row.n);
    await tx
      .updateTable('campaigns')
      .set({
        sent: Number(counts.sent),
        failed: Number(counts.failed),
        ...(finished ? { status: 'sent' as const, finished_at: new Date(), excluded: JSON.stringify(excluded) } : {}),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', campaignId)
      .execute();
    if (finished) {
      await recordAudit(tx, tenantId, { actorType: 'system', actorId: `job:${SEND_QUEUE}` }, { action: 'campaign.sent', objectType: 'campaign', objectId: campaignId, fields: [`sent:${counts.sent}`, `failed:${counts.failed}`] });
    }
  });
}

/**
 * Scheduled: a re-permission campaign past its deadline expires the consents of the people it
 * asked who did not reconfirm (no consent given or confirmed since the campaign started).
 */
export async function expireRepermissions(app: AppContext): Promise<number> {
  const tenants = await app.db.kysely.selectFrom('tenants').select('id').execute();
  let expired = 0;
  for (const { id: tenantId } of tenants) {
    const due = await withTenant(app.db, tenantId, (tx) =>
      tx.selectFrom('campaigns').selectAll().where('tenant_id', '=', tenantId).where('kind', '=', 'repermission').where('status', '=', 'sent').where('expiry_done_at', 'is', null).where('confirm_by', '<', new Date()).execute(),
    );
    for (const campaign of due) {
      expired += await withTenant(app.db, tenantId, async (tx) => {
        const purpose = await findPurpose(tx, tenantId, campaign.purpose_id);
        const silent = await tx
          .selectFrom('campaign_recipients as r')
          .innerJoin('consent_states as s', (join) => join.onRef('s.tenant_id', '=', 'r.tenant_id').onRef('s.person_id', '=', 'r.person_id').on('s.purpose_id', '=', campaign.purpose_id))
          .select(['r.person_id', 'r.person_type'])
          .where('r.tenant_id', '=', tenantId)
          .where('r.campaign_id', '=', campaign.id)
          .where('r.status', '=', 'sent')
          .where('s.state', 'in', ['granted', 'pending'])
          .where((eb) =>
            eb.not(
              eb.exists(
                eb
                  .selectFrom('consent_events as e')
                  .select('e.id')
                  .whereRef('e.tenant_id', '=', 'r.tenant_id')
                  .whereRef('e.person_id', '=', 'r.person_id')
                  .where('e.purpose_id', '=', campaign.purpose_id)
                  .where('e.kind', 'in', ['given', 'confirmed'])
                  .where('e.occurred_at', '>', campaign.started_at!),
              ),
            ),
          )
          .execute();
        for (const row of silent) {
          await recordConsentEvent(app, tx, tenantId, {
            person: { type: row.person_type, id: row.person_id },
            purpose,
            kind: 'expired',
            method: 'email_link',
            source: `campaign:${campaign.id} not reconfirmed`,
            actor: { type: 'system', id: null },
          });
        }
        await tx.updateTable('campaigns').set({ expired: silent.length, expiry_done_at: new Date() }).where('tenant_id', '=', tenantId).where('id', '=', campaign.id).execute();
        await recordAudit(tx, tenantId, { actorType: 'system', actorId: 'job:repermission.expire' }, { action: 'campaign.repermission_expired', objectType: 'campaign', objectId: campaign.id, fields: [`expired:${silent.length}`] });
        return silent.length;
      });
    }
  }
  return expired;
}
