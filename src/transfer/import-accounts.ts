import { sql } from 'kysely';
import type { CrmWork } from '../crm/context.ts';

/** The account key of an imported row: its company's domain, else its name. */
export function accountKeyOf(data: { accountDomain?: string | undefined; accountName?: string | undefined }): string | null {
  return data.accountDomain ? `d:${data.accountDomain}` : data.accountName ? `n:${data.accountName.toLowerCase()}` : null;
}

/** Puts the accounts with one of these domains or (lower-case) names into byKey, under their account keys. */
export async function findAccounts(work: CrmWork, domains: string[], names: string[], byKey: Map<string, string>): Promise<void> {
  if (domains.length + names.length === 0) return;
  const existing = await work.tx
    .selectFrom('accounts')
    .select(['id', 'domain', sql<string>`lower(name)`.as('lower_name')])
    .where('tenant_id', '=', work.tenantId)
    .where((eb) =>
      eb.or([...(domains.length ? [eb('domain', 'in', domains)] : []), ...(names.length ? [eb(sql`lower(name)`, 'in', names)] : [])]),
    )
    .execute();
  for (const account of existing) {
    if (account.domain) byKey.set(`d:${account.domain}`, account.id);
    if (!byKey.has(`n:${account.lower_name}`)) byKey.set(`n:${account.lower_name}`, account.id);
  }
}

/**
 * Finds or creates the accounts a batch of contacts refers to; domain first, then exact name.
 * A dry run rolls each batch back, so the accounts it created are remembered in seenInDryRun and
 * counted once, not again by every batch that names them.
 */
export async function resolveAccounts(
  work: CrmWork,
  rows: Array<{ data: { accountName?: string | undefined; accountDomain?: string | undefined } }>,
  seenInDryRun: Map<string, string> | null,
) {
  const byKey = new Map<string, string>();
  let created = 0;
  const wanted = new Map<string, { name: string; domain: string | null }>();
  for (const { data } of rows) {
    if (data.accountDomain)
      wanted.set(`d:${data.accountDomain}`, { name: data.accountName ?? data.accountDomain, domain: data.accountDomain });
    else if (data.accountName) wanted.set(`n:${data.accountName.toLowerCase()}`, { name: data.accountName, domain: null });
  }
  if (wanted.size === 0) return { byKey, created };
  const domains = [...wanted.values()].map((w) => w.domain).filter((d): d is string => Boolean(d));
  const names = [...wanted.values()].filter((w) => !w.domain).map((w) => w.name.toLowerCase());
  await findAccounts(work, domains, names, byKey);
  const missing = [...wanted].filter(([key]) => !byKey.has(key));
  if (missing.length > 0) {
    const inserted = await work.tx
      .insertInto('accounts')
      .values(
        missing.map(([, w]) => ({
          tenant_id: work.tenantId,
          name: w.name,
          domain: w.domain,
          owner_id: work.memberId,
          created_by: work.memberId,
        })),
      )
      .returning(['id', 'domain', 'name'])
      .execute();
    for (const account of inserted) {
      const key = account.domain ? `d:${account.domain}` : `n:${account.name.toLowerCase()}`;
      byKey.set(key, account.id);
      if (seenInDryRun?.has(`account:${key}`)) continue;
      seenInDryRun?.set(`account:${key}`, account.id);
      created++;
    }
  }
  return { byKey, created };
}
