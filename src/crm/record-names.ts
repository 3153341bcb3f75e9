import type { CrmWork } from './context.ts';
import { recordListRead } from './context.ts';
import { recordVisible } from './visibility.ts';

type RecordRef = { type: 'account' | 'contact' | 'lead' | 'opportunity'; id: string };

const personName = (first: string | null, last: string | null) => [first, last].filter(Boolean).join(' ');

/**
 * The names of linked records, as their pages title them, for those the caller may see (a task
 * they created for someone else may point at a person they may not see): one query per type of
 * record, the people's names decrypted with keys loaded in one query. People named this way are
 * recorded as shown (record_reads), like a list.
 */
export async function recordNames(work: CrmWork, refs: RecordRef[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const ids = (type: RecordRef['type']) => [...new Set(refs.filter((ref) => ref.type === type).map((ref) => ref.id))];
  const [contactIds, leadIds, accountIds, dealIds] = [ids('contact'), ids('lead'), ids('account'), ids('opportunity')];
  const { tx, tenantId, scope, sealer } = work;
  if (accountIds.length > 0) {
    const rows = await tx
      .selectFrom('accounts')
      .select(['accounts.id', 'accounts.name'])
      .where('accounts.tenant_id', '=', tenantId)
      .where('accounts.id', 'in', accountIds)
      .where(recordVisible(scope, 'accounts', 'account'))
      .execute();
    for (const row of rows) names.set(row.id, row.name);
  }
  if (dealIds.length > 0) {
    const rows = await tx
      .selectFrom('opportunities')
      .select(['opportunities.id', 'opportunities.name'])
      .where('opportunities.tenant_id', '=', tenantId)
      .where('opportunities.id', 'in', dealIds)
      .where(recordVisible(scope, 'opportunities', 'opportunity'))
      .execute();
    for (const row of rows) names.set(row.id, row.name);
  }
  if (contactIds.length > 0) {
    const rows = await tx
      .selectFrom('contacts')
      .select(['contacts.id', 'contacts.first_name_enc', 'contacts.last_name_enc', 'contacts.emails_enc'])
      .where('contacts.tenant_id', '=', tenantId)
      .where('contacts.id', 'in', contactIds)
      .where(recordVisible(scope, 'contacts', 'contact'))
      .execute();
    await sealer.preload(rows.map((row) => row.id));
    for (const row of rows) {
      const [first, last, emails] = (await sealer.openAll([
        ['contacts.first_name', row.first_name_enc],
        ['contacts.last_name', row.last_name_enc],
        ['contacts.emails', row.emails_enc],
      ])) as [string | null, string | null, string[] | null];
      names.set(row.id, personName(first, last) || emails?.[0] || '(no name)');
    }
    await recordListRead(
      work,
      'contact',
      rows.map((row) => row.id),
      false,
    );
  }
  if (leadIds.length > 0) {
    const rows = await tx
      .selectFrom('leads')
      .select(['leads.id', 'leads.first_name_enc', 'leads.last_name_enc', 'leads.email_enc', 'leads.company_name'])
      .where('leads.tenant_id', '=', tenantId)
      .where('leads.id', 'in', leadIds)
      .where(recordVisible(scope, 'leads', 'lead'))
      .execute();
    await sealer.preload(rows.map((row) => row.id));
    for (const row of rows) {
      const [first, last, email] = (await sealer.openAll([
        ['leads.first_name', row.first_name_enc],
        ['leads.last_name', row.last_name_enc],
        ['leads.email', row.email_enc],
      ])) as [string | null, string | null, string | null];
      names.set(row.id, personName(first, last) || row.company_name || email || '(no name)');
    }
    await recordListRead(
      work,
      'lead',
      rows.map((row) => row.id),
      false,
    );
  }
  return names;
}
