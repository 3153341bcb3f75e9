import type { Selectable } from 'kysely';
import type { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { asCaller, type Caller } from '../auth/context.ts';
import { memberAllows } from '../auth/permissions.ts';
import type { Tx } from '../db/tenant.ts';
import type { LegitimateInterestAssessmentsTable, PurposesTable } from '../db/types-consent.ts';
import { conflict, isUniqueViolation, notFound, unprocessable } from '../http/errors.ts';
import { iso, isoRequired } from '../shared/dates.ts';
import type { liaInput, purposeInput, purposeListQuery, purposePatch, purposeView } from './schema.ts';

export type PurposeRow = Selectable<PurposesTable>;
type LiaRow = Selectable<LegitimateInterestAssessmentsTable>;
type PurposeView = z.infer<typeof purposeView>;

function liaToView(row: LiaRow) {
  return {
    id: row.id,
    purposeId: row.purpose_id,
    interest: row.interest,
    necessity: row.necessity,
    impact: row.impact,
    safeguards: row.safeguards,
    outcome: row.outcome,
    reviewerId: row.reviewer_id,
    reviewedOn: new Date(row.reviewed_on).toISOString().slice(0, 10),
    createdAt: isoRequired(row.created_at),
  };
}

async function latestAssessments(tx: Tx, tenantId: string, purposeIds: string[]): Promise<Map<string, LiaRow>> {
  if (purposeIds.length === 0) return new Map();
  const rows = await tx
    .selectFrom('legitimate_interest_assessments')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('purpose_id', 'in', purposeIds)
    .orderBy('created_at', 'asc')
    .execute();
  return new Map(rows.map((row) => [row.purpose_id, row]));
}

function toView(row: PurposeRow, lia: LiaRow | undefined): PurposeView {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    description: row.description,
    legalBasis: row.legal_basis,
    status: row.status,
    directMarketing: row.direct_marketing,
    sellsOrShares: row.sells_or_shares,
    cookieCategory: row.cookie_category,
    retention: row.retention,
    recipients: row.recipients,
    consentValidDays: row.consent_valid_days,
    softOptIn: row.soft_opt_in,
    aboutRecipientsProfession: row.about_recipients_profession,
    activatedAt: iso(row.activated_at),
    createdAt: isoRequired(row.created_at),
    updatedAt: isoRequired(row.updated_at),
    balancingTest: lia ? liaToView(lia) : null,
  };
}

export async function findPurpose(tx: Tx, tenantId: string, id: string): Promise<PurposeRow> {
  const row = await tx.selectFrom('purposes').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Purpose');
  return row;
}

/** A purpose named in a request body: an unknown id is the request's fault (422), not a missing page. */
export async function purposeReference(tx: Tx, tenantId: string, id: string, field = 'purposeId'): Promise<PurposeRow> {
  const row = await tx.selectFrom('purposes').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw unprocessable(`${field} does not name a purpose of this workspace.`, { field });
  return row;
}

async function viewOf(tx: Tx, tenantId: string, row: PurposeRow): Promise<PurposeView> {
  return toView(row, (await latestAssessments(tx, tenantId, [row.id])).get(row.id));
}

export function listPurposes(app: AppContext, caller: Caller, query: z.infer<typeof purposeListQuery>) {
  return asCaller(app, caller, async (tx) => {
    let q = tx.selectFrom('purposes').selectAll().where('tenant_id', '=', caller.auth.tenantId);
    if (query.status) q = q.where('status', '=', query.status);
    if (query.legalBasis) q = q.where('legal_basis', '=', query.legalBasis);
    const rows = await q.orderBy('name').orderBy('id').execute();
    const assessments = await latestAssessments(
      tx,
      caller.auth.tenantId,
      rows.map((row) => row.id),
    );
    return { items: rows.map((row) => toView(row, assessments.get(row.id))) };
  });
}

export function getPurpose(app: AppContext, caller: Caller, id: string) {
  return asCaller(app, caller, async (tx) => viewOf(tx, caller.auth.tenantId, await findPurpose(tx, caller.auth.tenantId, id)));
}

/**
 * The soft opt-in and the B2B exceptions let marketing reach people without their consent, which
 * the law allows only on legitimate interest (a purpose on consent needs its consent).
 */
function checkMarketingRoutes(purpose: {
  legal_basis: string;
  direct_marketing: boolean;
  soft_opt_in: boolean;
  about_recipients_profession: boolean;
}): void {
  for (const [flag, field] of [
    [purpose.soft_opt_in, 'softOptIn'],
    [purpose.about_recipients_profession, 'aboutRecipientsProfession'],
  ] as const) {
    if (flag && !(purpose.direct_marketing && purpose.legal_basis === 'legitimate_interest')) {
      throw unprocessable(
        `${field} applies to direct marketing on legitimate interest only: a purpose on ${purpose.legal_basis.replace('_', ' ')} ${purpose.direct_marketing ? '' : 'that is not direct marketing '}reaches people by its own basis.`,
        { field },
      );
    }
  }
}

function uniqueClash(error: unknown): Error {
  if (isUniqueViolation(error, 'purposes_tenant_id_key_key')) return conflict('Another purpose already has this key.', { field: 'key' });
  if (isUniqueViolation(error, 'purposes_tenant_id_cookie_category_key'))
    return conflict('Another purpose already uses this cookie category.', { field: 'cookieCategory' });
  return error as Error;
}

export function createPurpose(app: AppContext, caller: Caller, input: z.infer<typeof purposeInput>) {
  return asCaller(app, caller, async (tx, audit) => {
    if (input.cookieCategory && input.legalBasis !== 'consent') {
      throw unprocessable('Non-essential cookies need consent: a cookie category requires legalBasis "consent".', {
        field: 'cookieCategory',
      });
    }
    checkMarketingRoutes({
      legal_basis: input.legalBasis,
      direct_marketing: input.directMarketing,
      soft_opt_in: input.softOptIn,
      about_recipients_profession: input.aboutRecipientsProfession,
    });
    const row = await tx
      .insertInto('purposes')
      .values({
        tenant_id: caller.auth.tenantId,
        key: input.key,
        name: input.name,
        description: input.description,
        legal_basis: input.legalBasis,
        direct_marketing: input.directMarketing,
        sells_or_shares: input.sellsOrShares,
        cookie_category: input.cookieCategory,
        retention: input.retention,
        recipients: input.recipients,
        consent_valid_days: input.consentValidDays,
        soft_opt_in: input.softOptIn,
        about_recipients_profession: input.aboutRecipientsProfession,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
      .catch((error) => {
        throw uniqueClash(error);
      });
    await audit({ action: 'purpose.create', objectType: 'purpose', objectId: row.id, fields: Object.keys(input) });
    return toView(row, undefined);
  });
}

export function updatePurpose(app: AppContext, caller: Caller, id: string, patch: z.infer<typeof purposePatch>) {
  return asCaller(app, caller, async (tx, audit) => {
    const tenantId = caller.auth.tenantId;
    const current = await findPurpose(tx, tenantId, id);
    if (patch.cookieCategory && current.legal_basis !== 'consent') {
      throw unprocessable('Non-essential cookies need consent: a cookie category requires legalBasis "consent".', {
        field: 'cookieCategory',
      });
    }
    checkMarketingRoutes({
      legal_basis: current.legal_basis,
      direct_marketing: patch.directMarketing ?? current.direct_marketing,
      soft_opt_in: patch.softOptIn ?? current.soft_opt_in,
      about_recipients_profession: patch.aboutRecipientsProfession ?? current.about_recipients_profession,
    });
    if (patch.status === 'active' && current.status !== 'active' && current.legal_basis === 'legitimate_interest') {
      const lia = (await latestAssessments(tx, tenantId, [id])).get(id);
      if (!lia || lia.outcome !== 'passed') {
        throw unprocessable('A legitimate-interest purpose needs a passed balancing test before it can be activated.', {
          field: 'status',
          balancingTest: lia ? 'failed' : 'missing',
        });
      }
    }
    const activating = patch.status === 'active' && current.status !== 'active';
    const row = await tx
      .updateTable('purposes')
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.directMarketing !== undefined ? { direct_marketing: patch.directMarketing } : {}),
        ...(patch.sellsOrShares !== undefined ? { sells_or_shares: patch.sellsOrShares } : {}),
        ...(patch.cookieCategory !== undefined ? { cookie_category: patch.cookieCategory } : {}),
        ...(patch.retention !== undefined ? { retention: patch.retention } : {}),
        ...(patch.recipients !== undefined ? { recipients: patch.recipients } : {}),
        ...(patch.consentValidDays !== undefined ? { consent_valid_days: patch.consentValidDays } : {}),
        ...(patch.softOptIn !== undefined ? { soft_opt_in: patch.softOptIn } : {}),
        ...(patch.aboutRecipientsProfession !== undefined ? { about_recipients_profession: patch.aboutRecipientsProfession } : {}),
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        ...(activating ? { activated_at: new Date() } : {}),
        updated_at: new Date(),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()
      .catch((error) => {
        throw uniqueClash(error);
      });
    await audit({ action: 'purpose.update', objectType: 'purpose', objectId: id, fields: Object.keys(patch) });
    return viewOf(tx, tenantId, row);
  });
}

/**
 * Records a balancing test. A failed one deactivates an active purpose at once: processing on
 * legitimate interest stops the moment the assessment no longer supports it.
 */
export function assessLegitimateInterest(app: AppContext, caller: Caller, purposeId: string, input: z.infer<typeof liaInput>) {
  return asCaller(app, caller, async (tx, audit) => {
    const tenantId = caller.auth.tenantId;
    const purpose = await findPurpose(tx, tenantId, purposeId);
    if (purpose.legal_basis !== 'legitimate_interest') {
      throw unprocessable('Only a purpose based on legitimate interest takes a balancing test.', { field: 'legalBasis' });
    }
    const reviewer = await tx
      .selectFrom('members')
      .select(['id', 'role', 'is_dpo'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', input.reviewerId)
      .where('status', '=', 'active')
      .executeTakeFirst();
    if (!reviewer) throw unprocessable('reviewerId does not name an active member of this workspace.', { field: 'reviewerId' });
    // The balancing test is the controller's decision (Art. 6(1)(f), 5(2)): reviewed by someone who may decide on purposes.
    if (!memberAllows({ role: reviewer.role, isDpo: reviewer.is_dpo }, 'purposes.manage')) {
      throw unprocessable('The reviewer must be a member allowed to manage purposes (an Administrator, a Company Manager or the DPO).', {
        field: 'reviewerId',
      });
    }
    await tx
      .insertInto('legitimate_interest_assessments')
      .values({
        tenant_id: tenantId,
        purpose_id: purposeId,
        interest: input.interest,
        necessity: input.necessity,
        impact: input.impact,
        safeguards: input.safeguards,
        outcome: input.outcome,
        reviewer_id: input.reviewerId,
        reviewed_on: input.reviewedOn,
      })
      .execute();
    if (input.outcome === 'failed' && purpose.status === 'active') {
      await tx
        .updateTable('purposes')
        .set({ status: 'draft', updated_at: new Date() })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', purposeId)
        .execute();
    }
    await audit({
      action: 'purpose.assess',
      objectType: 'purpose',
      objectId: purposeId,
      fields: ['balancingTest', ...(input.outcome === 'failed' && purpose.status === 'active' ? ['status'] : [])],
    });
    return viewOf(tx, tenantId, await findPurpose(tx, tenantId, purposeId));
  });
}
