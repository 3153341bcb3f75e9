import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { asCaller, type Caller } from '../auth/context.ts';
import { isoRequired } from '../shared/dates.ts';
import { country, isoDate } from '../shared/fields.ts';
import type { Tx } from '../db/tenant.ts';
import type { SubprocessorsTable } from '../db/types-governance.ts';
import { notFound, unprocessable } from '../http/errors.ts';
import { EEA } from '../shared/countries.ts';

type Row = Selectable<SubprocessorsTable>;

/** Countries with an adequacy decision (Art. 45); the US through the Data Privacy Framework. */
export const ADEQUATE = new Set(['AD', 'AR', 'CA', 'CH', 'FO', 'GB', 'GG', 'IL', 'IM', 'JE', 'JP', 'KR', 'NZ', 'UY', 'US']);

const SAFEGUARDS = ['eea', 'adequacy', 'sccs', 'bcr'] as const;

export const subprocessorInput = z.object({
  name: z.string().trim().min(1).max(200),
  service: z.string().trim().min(1).max(500),
  dataCategories: z.array(z.string().trim().min(1).max(100)).max(30).default([]),
  country,
  safeguard: z.enum(SAFEGUARDS).describe('eea (no transfer), adequacy (Art. 45), sccs or bcr (Art. 46)'),
  sccModule: z.number().int().min(1).max(4).nullable().default(null),
  sccVersion: z.string().trim().max(50).nullable().default(null).describe('e.g. 2021/914'),
  agreementRef: z.string().trim().max(500).default(''),
  agreementSignedOn: isoDate.nullable().default(null),
  agreementExpiresOn: isoDate.nullable().default(null),
});
/** Only what is given changes (no defaults: an absent field keeps its value). */
export const subprocessorPatch = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  service: z.string().trim().min(1).max(500).optional(),
  dataCategories: z.array(z.string().trim().min(1).max(100)).max(30).optional(),
  country: country.optional(),
  safeguard: z.enum(SAFEGUARDS).optional(),
  sccModule: z.number().int().min(1).max(4).nullable().optional(),
  sccVersion: z.string().trim().max(50).nullable().optional(),
  agreementRef: z.string().trim().max(500).optional(),
  agreementSignedOn: isoDate.nullable().optional(),
  agreementExpiresOn: isoDate.nullable().optional(),
});

export const subprocessorView = z.object({
  id: z.string().uuid(),
  name: z.string(),
  service: z.string(),
  dataCategories: z.array(z.string()),
  country: z.string(),
  thirdCountryTransfer: z.boolean(),
  safeguard: z.enum(SAFEGUARDS),
  sccModule: z.number().nullable(),
  sccVersion: z.string().nullable(),
  agreementRef: z.string(),
  agreementSignedOn: z.string().nullable(),
  agreementExpiresOn: z.string().nullable(),
  active: z.boolean(),
  updatedAt: z.string(),
});

const day = (value: Date | null) => (value ? new Date(value).toISOString().slice(0, 10) : null);

export function subprocessorToView(row: Row): z.infer<typeof subprocessorView> {
  return {
    id: row.id,
    name: row.name,
    service: row.service,
    dataCategories: row.data_categories,
    country: row.country,
    thirdCountryTransfer: !EEA.has(row.country),
    safeguard: row.safeguard,
    sccModule: row.scc_module,
    sccVersion: row.scc_version,
    agreementRef: row.agreement_ref,
    agreementSignedOn: day(row.agreement_signed_on),
    agreementExpiresOn: day(row.agreement_expires_on),
    active: row.active,
    updatedAt: isoRequired(row.updated_at),
  };
}

/** A transfer needs a ground that fits the destination (Chapter V). */
function assertSafeguard(value: {
  country: string;
  safeguard: (typeof SAFEGUARDS)[number];
  sccModule: number | null;
  sccVersion: string | null;
}): void {
  const inEea = EEA.has(value.country);
  if (inEea !== (value.safeguard === 'eea')) {
    throw unprocessable(
      inEea
        ? `${value.country} is in the EEA: there is no transfer, use safeguard "eea".`
        : `${value.country} is outside the EEA: choose adequacy, sccs or bcr.`,
      { field: 'safeguard' },
    );
  }
  if (value.safeguard === 'adequacy' && !ADEQUATE.has(value.country)) {
    throw unprocessable(
      `There is no adequacy decision for ${value.country}: use standard contractual clauses or binding corporate rules.`,
      { field: 'safeguard' },
    );
  }
  if ((value.safeguard === 'sccs') !== Boolean(value.sccModule && value.sccVersion)) {
    throw unprocessable(
      value.safeguard === 'sccs'
        ? 'Standard contractual clauses need their module (1-4) and version.'
        : 'sccModule and sccVersion apply to standard contractual clauses only.',
      { field: 'sccModule' },
    );
  }
}

async function logChange(
  tx: Tx,
  tenantId: string,
  subprocessorId: string,
  change: 'added' | 'updated' | 'removed',
  fields: string[],
): Promise<void> {
  await tx.insertInto('subprocessor_changes').values({ tenant_id: tenantId, subprocessor_id: subprocessorId, change, fields }).execute();
}

async function find(tx: Tx, tenantId: string, id: string): Promise<Row> {
  const row = await tx.selectFrom('subprocessors').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Sub-processor');
  return row;
}

export function listSubprocessors(app: AppContext, caller: Caller) {
  return asCaller(app, caller, async (tx) => ({
    items: (
      await tx.selectFrom('subprocessors').selectAll().where('tenant_id', '=', caller.auth.tenantId).orderBy('name').orderBy('id').execute()
    ).map(subprocessorToView),
  }));
}

export function createSubprocessor(app: AppContext, caller: Caller, input: z.infer<typeof subprocessorInput>) {
  assertSafeguard(input);
  return asCaller(app, caller, async (tx, audit) => {
    const row = await tx
      .insertInto('subprocessors')
      .values({
        tenant_id: caller.auth.tenantId,
        name: input.name,
        service: input.service,
        data_categories: input.dataCategories,
        country: input.country,
        safeguard: input.safeguard,
        scc_module: input.sccModule,
        scc_version: input.sccVersion,
        agreement_ref: input.agreementRef,
        agreement_signed_on: input.agreementSignedOn,
        agreement_expires_on: input.agreementExpiresOn,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await logChange(tx, caller.auth.tenantId, row.id, 'added', Object.keys(input));
    await audit({ action: 'subprocessor.create', objectType: 'subprocessor', objectId: row.id, fields: Object.keys(input) });
    return subprocessorToView(row);
  });
}

export function updateSubprocessor(app: AppContext, caller: Caller, id: string, patch: z.infer<typeof subprocessorPatch>) {
  return asCaller(app, caller, async (tx, audit) => {
    const current = subprocessorToView(await find(tx, caller.auth.tenantId, id));
    assertSafeguard({
      country: patch.country ?? current.country,
      safeguard: patch.safeguard ?? current.safeguard,
      sccModule: patch.sccModule !== undefined ? patch.sccModule : current.sccModule,
      sccVersion: patch.sccVersion !== undefined ? patch.sccVersion : current.sccVersion,
    });
    const row = await tx
      .updateTable('subprocessors')
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.service !== undefined ? { service: patch.service } : {}),
        ...(patch.dataCategories !== undefined ? { data_categories: patch.dataCategories } : {}),
        ...(patch.country !== undefined ? { country: patch.country } : {}),
        ...(patch.safeguard !== undefined ? { safeguard: patch.safeguard } : {}),
        ...(patch.sccModule !== undefined ? { scc_module: patch.sccModule } : {}),
        ...(patch.sccVersion !== undefined ? { scc_version: patch.sccVersion } : {}),
        ...(patch.agreementRef !== undefined ? { agreement_ref: patch.agreementRef } : {}),
        ...(patch.agreementSignedOn !== undefined ? { agreement_signed_on: patch.agreementSignedOn } : {}),
        ...(patch.agreementExpiresOn !== undefined ? { agreement_expires_on: patch.agreementExpiresOn } : {}),
        active: true,
        updated_at: new Date(),
      })
      .where('tenant_id', '=', caller.auth.tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await logChange(tx, caller.auth.tenantId, id, 'updated', Object.keys(patch));
    await audit({ action: 'subprocessor.update', objectType: 'subprocessor', objectId: id, fields: Object.keys(patch) });
    return subprocessorToView(row);
  });
}

/** Removal keeps the row (the change log and past registers refer to it), marked inactive. */
export function removeSubprocessor(app: AppContext, caller: Caller, id: string) {
  return asCaller(app, caller, async (tx, audit) => {
    const current = await find(tx, caller.auth.tenantId, id);
    if (!current.active) throw notFound('Active sub-processor');
    await tx
      .updateTable('subprocessors')
      .set({ active: false, updated_at: new Date() })
      .where('tenant_id', '=', caller.auth.tenantId)
      .where('id', '=', id)
      .execute();
    await logChange(tx, caller.auth.tenantId, id, 'removed', []);
    await audit({ action: 'subprocessor.remove', objectType: 'subprocessor', objectId: id, fields: [] });
  });
}

/** The change log, newest first, with the sub-processor's name. */
export async function subprocessorChanges(tx: Tx, tenantId: string, since: Date) {
  return tx
    .selectFrom('subprocessor_changes as c')
    .innerJoin('subprocessors as s', (join) => join.onRef('s.tenant_id', '=', 'c.tenant_id').onRef('s.id', '=', 'c.subprocessor_id'))
    .select(['c.change', 'c.fields', 'c.changed_at', 's.name'])
    .where('c.tenant_id', '=', tenantId)
    .where('c.changed_at', '>=', since)
    .orderBy('c.changed_at', 'desc')
    .execute();
}

/** Active sub-processors: recipients in access reports and the public page. */
export async function activeSubprocessors(tx: Tx, tenantId: string): Promise<Row[]> {
  return tx.selectFrom('subprocessors').selectAll().where('tenant_id', '=', tenantId).where('active', '=', true).orderBy('name').execute();
}
