import { openContact } from '../crm/contacts.ts';
import type { CrmWork } from '../crm/context.ts';
import { openLead } from '../crm/leads.ts';
import type { Sealer } from '../crypto/sealer.ts';
import type { CrmRecordType } from '../db/types.ts';
import { iso } from '../shared/dates.ts';
import type { ExternalRecord } from './connector.ts';
import { checkFields } from './fields.ts';

/**
 * A record of ours as a connected CRM receives it (a push, a rectification carried there), and
 * the digest of what the CRM then holds.
 */

async function accountRef(work: FieldReader, integrationId: string, accountId: string | null): Promise<string | null> {
  if (!accountId) return null;
  const link = await work.tx
    .selectFrom('sync_links')
    .select('external_id')
    .where('tenant_id', '=', work.tenantId)
    .where('integration_id', '=', integrationId)
    .where('record_type', '=', 'account')
    .where('record_id', '=', accountId)
    .executeTakeFirst();
  return link?.external_id ?? null;
}

/** What reads a record's fields: a member's work, or a job's transaction with a sealer. */
export type FieldReader = Pick<CrmWork, 'tx' | 'tenantId' | 'sealer'>;

/** The record's fields, named as connectors map them. */
export async function fieldsOf(
  work: FieldReader,
  integrationId: string,
  type: CrmRecordType,
  id: string,
): Promise<Record<string, unknown>> {
  const tx = work.tx;
  switch (type) {
    case 'account': {
      const row = await tx
        .selectFrom('accounts')
        .selectAll()
        .where('tenant_id', '=', work.tenantId)
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      return { name: row.name, domain: row.domain, industry: row.industry, country: row.country };
    }
    case 'contact': {
      const row = await tx
        .selectFrom('contacts')
        .selectAll()
        .where('tenant_id', '=', work.tenantId)
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      const person = await openContact(work, row);
      return {
        ...person,
        customPersonal: undefined,
        country: row.country,
        accountRef: await accountRef(work, integrationId, row.account_id),
      };
    }
    case 'lead': {
      const row = await tx
        .selectFrom('leads')
        .selectAll()
        .where('tenant_id', '=', work.tenantId)
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      const person = await openLead(work, row);
      return {
        ...person,
        customPersonal: undefined,
        companyName: row.company_name,
        companyDomain: row.company_domain,
        country: row.country,
      };
    }
    case 'opportunity': {
      const row = await tx
        .selectFrom('opportunities')
        .selectAll()
        .where('tenant_id', '=', work.tenantId)
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      return {
        name: row.name,
        amount: row.amount,
        currency: row.currency,
        stage: row.stage,
        expectedCloseDate: row.expected_close_date ? iso(row.expected_close_date)!.slice(0, 10) : null,
        accountRef: await accountRef(work, integrationId, row.account_id),
      };
    }
  }
}

/** The keyed digest of what the CRM now holds, by which the next sync knows the object unchanged. */
export async function contentHash(sealer: Sealer, type: CrmRecordType, external: ExternalRecord): Promise<string> {
  const checked = checkFields(type, external.fields);
  return sealer.index('sync-content', JSON.stringify(checked.ok ? checked.value : external.fields));
}
