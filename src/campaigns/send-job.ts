import { sql } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { recordAudit } from '../audit/service.ts';
import { gateDecision, gatePurposes, purposeInForce, recordRefusals, type GatePurpose, type Verdict } from '../consent/gate.ts';
import { recordConsentEvent } from '../consent/ledger.ts';
import { loadPeople, type PersonDetails } from '../crm/people.ts';
import { withTenant, type Tx } from '../db/tenant.ts';
import type { CampaignStatus } from '../db/types-campaigns.ts';
import type { PersonType } from '../db/types-consent.ts';
import type { Job, Lease } from '../jobs/queue.ts';
import { sendToPerson } from '../mail/outbox.ts';
import { withoutAddresses } from '../shared/redact.ts';
import { findCampaign, SEND_QUEUE, type CampaignRow } from './campaigns.ts';
import { composeCampaignMail } from './compose.ts';
import { senderIdentity, type SenderIdentity } from './sender.ts';
import { findTemplate } from './templates.ts';
import { workspaceFacts, type WorkspaceFacts } from '../notices/facts.ts';
import { owedNotices } from '../notices/queue.ts';
import { markSent, noticeText } from '../notices/send.ts';
import { noticeTemplate } from '../notices/template.ts';

const BATCH = 50;
const ACTOR = { actorType: 'system' as const, actorId: `job:${SEND_QUEUE}` };

type Batch = Array<{ person_id: string; person_type: PersonType }>;

/** What one batch is sent under, read in the batch's own transaction: the present, not the start. */
type BatchPlan =
  | {
      go: true;
      people: Map<string, PersonDetails>;
      verdicts: Map<string, Verdict>;
      sender: SenderIdentity;
      purpose: GatePurpose;
      notice: { template: { subject: string; body: string }; facts: WorkspaceFacts };
    }
  | { go: false; stop: { reason: string; refusal: string | null } | null };

async function nextBatch(tx: Tx, tenantId: string, campaignId: string, after: string): Promise<Batch> {
  return tx
    .selectFrom('campaign_recipients')
    .select(['person_id', 'person_type'])
    .where('tenant_id', '=', tenantId)
    .where('campaign_id', '=', campaignId)
    .where('status', '=', 'queued')
    .where('person_id', '>', after)
    .orderBy('person_id')
    .limit(BATCH)
    .execute();
}

/**
 * Reads, for one batch, the campaign's status (a member may have stopped it), the purpose as it
 * stands (a failed balancing test or a retirement stops the send), the workspace's sender
 * identity, and the gate's verdict on each person now.
 */
async function planBatch(app: AppContext, tx: Tx, tenantId: string, campaign: CampaignRow, batch: Batch): Promise<BatchPlan> {
  const current = await findCampaign(tx, tenantId, campaign.id);
  if (current.status !== 'sending') return { go: false, stop: null };
  const purpose = (await gatePurposes(tx, tenantId, [campaign.purpose_id])).get(campaign.purpose_id)!;
  if (!purposeInForce(purpose)) {
    const why =
      purpose.legal_basis === 'legitimate_interest' && purpose.balancingTest !== 'passed'
        ? `lost its passed balancing test (it is now ${purpose.status})`
        : `became ${purpose.status}`;
    return {
      go: false,
      stop: { reason: `The purpose "${purpose.name}" ${why} during the send: nothing more was sent for it.`, refusal: 'purpose_inactive' },
    };
  }
  if (campaign.kind === 'campaign' && !purpose.direct_marketing) {
    return {
      go: false,
      stop: {
        reason: `The purpose "${purpose.name}" stopped being declared as direct marketing during the send.`,
        refusal: 'purpose_inactive',
      },
    };
  }
  const sender = await senderIdentity(tx, tenantId);
  if ('missing' in sender)
    return {
      go: false,
      stop: { reason: `The workspace's sender identity was removed during the send (${sender.missing.join(', ')}).`, refusal: null },
    };
  const people = batch.map((row) => ({ type: row.person_type, id: row.person_id }));
  return {
    go: true,
    people: await loadPeople(app, tx, tenantId, people),
    verdicts: (await gateDecision(tx, tenantId, purpose, people, { path: campaign.kind })).verdicts,
    sender,
    purpose,
    notice: { template: await noticeTemplate(tx, tenantId), facts: await workspaceFacts(app, tx, tenantId) },
  };
}

/** Sends to one person, or records why not, in one transaction: a resumed job skips the sent. */
async function sendOne(
  app: AppContext,
  campaign: CampaignRow,
  template: { subject: string; body: string },
  workspace: { id: string; slug: string },
  plan: Extract<BatchPlan, { go: true }>,
  person: { type: PersonType; id: string },
) {
  const tenantId = workspace.id;
  await withTenant(app.db, tenantId, async (tx) => {
    const verdict = plan.verdicts.get(person.id)!;
    const found = plan.people.get(person.id);
    let status: 'sent' | 'failed' = 'sent';
    let error: string | null = null;
    if (!verdict.allowed) {
      status = 'failed';
      error = `refused: ${verdict.reason}`;
      await recordRefusals(tx, tenantId, campaign.kind, campaign.id, plan.purpose.id, new Map([[person.id, verdict]]));
    } else if (!found || found.emails.length === 0) {
      status = 'failed';
      error = 'no email address';
    } else {
      try {
        if (campaign.kind === 'repermission') {
          await recordConsentEvent(app, tx, tenantId, {
            person,
            purpose: plan.purpose,
            kind: 'repermission_requested',
            method: 'email_link',
            source: `campaign:${campaign.id}`,
            actor: { type: 'system', id: null },
          });
        }
        const owed = await owedNotices(tx, tenantId).where('art14_notices.person_id', '=', person.id).execute();
        const notices = owed.map((notice) => noticeText(plan.notice.template, plan.notice.facts, notice).text);
        const { mail, personalLinks } = composeCampaignMail(app, campaign, template, found, workspace, plan.sender, notices);
        const messageId = await sendToPerson(app, tx, tenantId, {
          personId: person.id,
          kind: campaign.kind === 'campaign' ? 'campaign' : 'repermission',
          campaignId: campaign.id,
          mail,
          personalLinks,
        });
        await markSent(
          tx,
          tenantId,
          owed.map((notice) => notice.id),
          'campaign',
          messageId,
        );
      } catch (sendError) {
        status = 'failed';
        error = withoutAddresses(sendError instanceof Error ? sendError.message : String(sendError)).slice(0, 500);
      }
    }
    await tx
      .updateTable('campaign_recipients')
      .set({ status, error, sent_at: status === 'sent' ? new Date() : null })
      .where('tenant_id', '=', tenantId)
      .where('campaign_id', '=', campaign.id)
      .where('person_id', '=', person.id)
      .execute();
  });
}

/**
 * Ends a send the gate no longer allows: everyone still queued is refused with the reason (and
 * the refusal recorded), and the campaign is stopped with its explanation.
 */
async function stopSend(tx: Tx, tenantId: string, campaign: CampaignRow, stop: { reason: string; refusal: string | null }): Promise<void> {
  if (stop.refusal) {
    await sql`
      insert into processing_refusals (tenant_id, person_id, purpose_id, path, ref, reason)
      select tenant_id, person_id, ${campaign.purpose_id}::uuid, ${campaign.kind}, ${campaign.id}, ${stop.refusal}
      from campaign_recipients
      where tenant_id = ${tenantId} and campaign_id = ${campaign.id} and status = 'queued'`.execute(tx);
  }
  await tx
    .updateTable('campaign_recipients')
    .set({ status: 'failed', error: stop.refusal ? `refused: ${stop.refusal}` : 'stopped' })
    .where('tenant_id', '=', tenantId)
    .where('campaign_id', '=', campaign.id)
    .where('status', '=', 'queued')
    .execute();
  await tx
    .updateTable('campaigns')
    .set({ status: 'stopped', stopped_reason: stop.reason })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', campaign.id)
    .where('status', '=', 'sending')
    .execute();
  await recordAudit(tx, tenantId, ACTOR, {
    action: 'campaign.stopped',
    objectType: 'campaign',
    objectId: campaign.id,
    fields: [stop.refusal ? `reason:${stop.refusal}` : 'reason:sender_identity'],
  });
}

/**
 * The send job. Works through the queued recipients in batches; for each batch it reads the
 * campaign, the purpose, the workspace and every recipient's state again (planBatch), so a
 * withdrawal, an objection, a failed balancing test or a stop that arrives during the send is
 * honoured from the next batch on. Each person is marked sent in the transaction that records
 * the email, so a resumed job skips them.
 */
export async function runCampaignSend(app: AppContext, job: Job, lease: Lease): Promise<void> {
  const tenantId = job.tenant_id!;
  const campaignId = String(job.payload.campaignId);
  const { campaign, template, workspace } = await withTenant(app.db, tenantId, async (tx) => {
    const campaign = await findCampaign(tx, tenantId, campaignId);
    return {
      campaign,
      template: await findTemplate(tx, tenantId, campaign.template_id),
      workspace: await tx.selectFrom('tenants').select(['id', 'slug']).where('id', '=', tenantId).executeTakeFirstOrThrow(),
    };
  });
  if (campaign.status !== 'sending') return;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const decided = await withTenant(app.db, tenantId, async (tx) => {
      const batch = await nextBatch(tx, tenantId, campaignId, after);
      if (batch.length === 0) return { batch, plan: { go: false as const, stop: null } };
      const plan = await planBatch(app, tx, tenantId, campaign, batch);
      if (!plan.go && plan.stop) await stopSend(tx, tenantId, campaign, plan.stop);
      return { batch, plan };
    });
    if (!decided.plan.go) break;
    after = decided.batch[decided.batch.length - 1]!.person_id;
    for (const row of decided.batch)
      await sendOne(app, campaign, template, workspace, decided.plan, { type: row.person_type, id: row.person_id });
    await updateCounters(app, tenantId, campaignId, null);
    await lease.renew();
  }
  const final = await withTenant(app.db, tenantId, async (tx) => (await findCampaign(tx, tenantId, campaignId)).status);
  await updateCounters(app, tenantId, campaignId, final === 'sending' ? 'sent' : final);
}

/** Refreshes sent/failed; when the send ends, the refusals made during it join the exclusions. */
async function updateCounters(app: AppContext, tenantId: string, campaignId: string, finished: CampaignStatus | null): Promise<void> {
  await withTenant(app.db, tenantId, async (tx) => {
    const counts = await tx
      .selectFrom('campaign_recipients')
      .select([
        sql<string>`count(*) filter (where status = 'sent')`.as('sent'),
        sql<string>`count(*) filter (where status = 'failed')`.as('failed'),
      ])
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
        ...(finished ? { status: finished, finished_at: campaign.finished_at ?? new Date(), excluded: JSON.stringify(excluded) } : {}),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', campaignId)
      .execute();
    if (finished) {
      await recordAudit(tx, tenantId, ACTOR, {
        action: 'campaign.sent',
        objectType: 'campaign',
        objectId: campaignId,
        fields: [`sent:${counts.sent}`, `failed:${counts.failed}`, `status:${finished}`],
      });
    }
  });
}
