import type { Selectable } from 'kysely';
import type { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import type { Caller } from '../auth/context.ts';
import { crmWork } from '../crm/context.ts';
import { iso, isoRequired } from '../shared/dates.ts';
import { gatePurposes, purposeInForce, recordRefusals } from '../consent/gate.ts';
import { purposeReference } from '../consent/purposes.ts';
import type { Tx } from '../db/tenant.ts';
import type { CampaignsTable } from '../db/types-campaigns.ts';
import { AppError, conflict, notFound, unprocessable } from '../http/errors.ts';
import { enqueue } from '../jobs/queue.ts';
import { audience, countRefusals } from './audience.ts';
import type { campaignInput, campaignView } from './schema.ts';
import { requireSenderIdentity } from './sender.ts';
import { findSegment } from './segments.ts';
import { findTemplate } from './templates.ts';

export type CampaignRow = Selectable<CampaignsTable>;

export const SEND_QUEUE = 'campaign.send';

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
    stoppedReason: row.stopped_reason,
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

export async function findCampaign(tx: Tx, tenantId: string, id: string): Promise<CampaignRow> {
  const row = await tx.selectFrom('campaigns').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Campaign');
  return row;
}

/**
 * Every campaign is direct marketing (Art. 21(2)-(3) GDPR): it is sent only for a purpose
 * declared as such, so that objections, suppressions and the channel rule apply to it.
 */
export function notDirectMarketing(purpose: { name: string }): AppError {
  return new AppError(
    422,
    'not_direct_marketing',
    `A campaign is direct marketing: "${purpose.name}" is not declared as a direct-marketing purpose. Choose one that is, or declare it so (objections and the suppression list then apply to it).`,
    { field: 'purposeId' },
  );
}

export function listCampaigns(app: AppContext, caller: Caller) {
  return crmWork(app, caller, async (work) => ({
    items: (
      await work.tx
        .selectFrom('campaigns')
        .selectAll()
        .where('tenant_id', '=', work.tenantId)
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(500)
        .execute()
    ).map(campaignToView),
  }));
}

export function getCampaign(app: AppContext, caller: Caller, id: string) {
  return crmWork(app, caller, async (work) => campaignToView(await findCampaign(work.tx, work.tenantId, id)));
}

export function createCampaign(app: AppContext, caller: Caller, input: z.infer<typeof campaignInput>) {
  return crmWork(app, caller, async (work) => {
    const purpose = await purposeReference(work.tx, work.tenantId, input.purposeId);
    if (!purpose.direct_marketing) throw notDirectMarketing(purpose);
    await findSegment(work, input.segmentId).catch(() => {
      throw unprocessable('segmentId does not name a segment.', { field: 'segmentId' });
    });
    await findTemplate(work.tx, work.tenantId, input.templateId, 'templateId');
    const row = await work.tx
      .insertInto('campaigns')
      .values({
        tenant_id: work.tenantId,
        kind: 'campaign',
        name: input.name,
        purpose_id: input.purposeId,
        segment_id: input.segmentId,
        template_id: input.templateId,
        created_by: work.memberId,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await work.audit({ action: 'campaign.create', objectType: 'campaign', objectId: row.id, fields: Object.keys(input) });
    return campaignToView(row);
  });
}

export function previewCampaign(app: AppContext, caller: Caller, id: string) {
  return crmWork(app, caller, async (work) => {
    const campaign = await findCampaign(work.tx, work.tenantId, id);
    const { allowed, verdicts } = await audience(work, campaign);
    return { recipients: allowed.length, excluded: countRefusals(verdicts) };
  });
}

/**
 * Starts a send: the purpose must still be direct marketing and in force, the workspace must have
 * its sender identity, the gate decides who may receive it, the refused are recorded with their
 * reason, and a durable job sends to the rest in batches, asking the gate again for each batch.
 */
export function sendCampaign(app: AppContext, caller: Caller, id: string) {
  return crmWork(app, caller, async (work) => {
    const campaign = await findCampaign(work.tx, work.tenantId, id);
    if (campaign.status !== 'draft') throw conflict(`This campaign is already ${campaign.status}.`, { status: campaign.status });
    const purpose = (await gatePurposes(work.tx, work.tenantId, [campaign.purpose_id])).get(campaign.purpose_id)!;
    if (campaign.kind === 'campaign' && !purpose.direct_marketing) throw notDirectMarketing(purpose);
    if (!purposeInForce(purpose)) {
      const why = purpose.status !== 'active' ? 'is not active' : 'has no passed balancing test in force';
      throw unprocessable(`The purpose "${purpose.name}" ${why}: nothing may be sent for it.`, { field: 'purposeId' });
    }
    await requireSenderIdentity(work.tx, work.tenantId);
    const { allowed, verdicts } = await audience(work, campaign);
    const excluded = await recordRefusals(work.tx, work.tenantId, campaign.kind, campaign.id, purpose.id, verdicts);
    for (let i = 0; i < allowed.length; i += 1000) {
      await work.tx
        .insertInto('campaign_recipients')
        .values(
          allowed
            .slice(i, i + 1000)
            .map((person) => ({ tenant_id: work.tenantId, campaign_id: campaign.id, person_id: person.id, person_type: person.type })),
        )
        .execute();
    }
    const confirmBy = campaign.kind === 'repermission' ? new Date(Date.now() + campaign.confirm_within_days! * 86_400_000) : null;
    const row = await work.tx
      .updateTable('campaigns')
      .set({
        status: 'sending',
        recipients: allowed.length,
        excluded: JSON.stringify(excluded),
        started_at: new Date(),
        confirm_by: confirmBy,
      })
      .where('tenant_id', '=', work.tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await enqueue(work.tx, { queue: SEND_QUEUE, tenantId: work.tenantId, payload: { campaignId: id }, singletonKey: `campaign:${id}` });
    await work.audit({
      action: 'campaign.send',
      objectType: 'campaign',
      objectId: id,
      fields: [`recipients:${allowed.length}`, ...Object.entries(excluded).map(([reason, n]) => `excluded.${reason}:${n}`)],
    });
    return campaignToView(row);
  });
}

/** Stops a send in progress: the batch being sent finishes, nothing after it goes out. */
export function stopCampaign(app: AppContext, caller: Caller, id: string) {
  return crmWork(app, caller, async (work) => {
    const campaign = await findCampaign(work.tx, work.tenantId, id);
    if (campaign.status !== 'sending')
      throw conflict(`Only a campaign being sent can be stopped; this one is ${campaign.status}.`, { status: campaign.status });
    const row = await work.tx
      .updateTable('campaigns')
      .set({ status: 'stopped', stopped_reason: 'Stopped by a member.', finished_at: new Date() })
      .where('tenant_id', '=', work.tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await work.audit({ action: 'campaign.stop', objectType: 'campaign', objectId: id, fields: ['status'] });
    return campaignToView(row);
  });
}
