import type { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { recordAudit } from '../audit/service.ts';
import type { Caller } from '../auth/context.ts';
import { crmWork } from '../crm/context.ts';
import { recordConsentEvent } from '../consent/ledger.ts';
import { findPurpose, purposeReference } from '../consent/purposes.ts';
import { withTenant } from '../db/tenant.ts';
import { unprocessable } from '../http/errors.ts';
import { campaignToView } from './campaigns.ts';
import type { repermissionInput } from './schema.ts';
import { findTemplate } from './templates.ts';

export function createRepermission(app: AppContext, caller: Caller, input: z.infer<typeof repermissionInput>) {
  return crmWork(app, caller, async (work) => {
    const purpose = await purposeReference(work.tx, work.tenantId, input.purposeId);
    if (purpose.legal_basis !== 'consent')
      throw unprocessable('Re-permission asks for consent: the purpose must be based on consent.', { field: 'purposeId' });
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

/**
 * Scheduled: a re-permission campaign past its deadline expires the consents of the people it
 * asked who did not reconfirm (no consent given or confirmed since the campaign started).
 */
export async function expireRepermissions(app: AppContext): Promise<number> {
  const tenants = await app.db.kysely.selectFrom('tenants').select('id').execute();
  let expired = 0;
  for (const { id: tenantId } of tenants) {
    const due = await withTenant(app.db, tenantId, (tx) =>
      tx
        .selectFrom('campaigns')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('kind', '=', 'repermission')
        .where('status', '=', 'sent')
        .where('expiry_done_at', 'is', null)
        .where('confirm_by', '<', new Date())
        .execute(),
    );
    for (const campaign of due) {
      expired += await withTenant(app.db, tenantId, async (tx) => {
        const purpose = await findPurpose(tx, tenantId, campaign.purpose_id);
        const silent = await tx
          .selectFrom('campaign_recipients as r')
          .innerJoin('consent_states as s', (join) =>
            join
              .onRef('s.tenant_id', '=', 'r.tenant_id')
              .onRef('s.person_id', '=', 'r.person_id')
              .on('s.purpose_id', '=', campaign.purpose_id),
          )
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
        await tx
          .updateTable('campaigns')
          .set({ expired: silent.length, expiry_done_at: new Date() })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', campaign.id)
          .execute();
        await recordAudit(
          tx,
          tenantId,
          { actorType: 'system', actorId: 'job:repermission.expire' },
          { action: 'campaign.repermission_expired', objectType: 'campaign', objectId: campaign.id, fields: [`expired:${silent.length}`] },
        );
        return silent.length;
      });
    }
  }
  return expired;
}
