import type { AppContext } from '../app-context.ts';
import { withTenant } from '../db/tenant.ts';
import { Sealer } from '../crypto/sealer.ts';
import { phoneKeys } from '../shared/normalise.ts';

const BATCH = 500;

/**
 * Phone numbers got blind indexes in migration 0027 (so an erasure can tombstone them); rows
 * written before it have none (NULL). Computed here at start, workspace by workspace, in batches:
 * decrypting needs the application's keys, which a SQL migration does not have. A row whose key
 * was destroyed has no readable phone, and gets an empty index.
 */
export async function fillPhoneIndexes(app: Pick<AppContext, 'db' | 'keys'>): Promise<number> {
  const tenants = await app.db.kysely.selectFrom('tenants').select('id').execute();
  let filled = 0;
  for (const { id: tenantId } of tenants) {
    for (;;) {
      const done = await withTenant(app.db, tenantId, async (tx) => {
        const sealer = new Sealer(app as AppContext, tx, tenantId);
        const contacts = await tx
          .selectFrom('contacts')
          .select(['id', 'phones_enc'])
          .where('tenant_id', '=', tenantId)
          .where('phone_index', 'is', null)
          .limit(BATCH)
          .execute();
        for (const row of contacts) {
          const phones = (await sealer.open<string[]>('contacts.phones', row.phones_enc)) ?? [];
          await tx
            .updateTable('contacts')
            .set({ phone_index: await sealer.indexAll('phone', phoneKeys(phones)) })
            .where('tenant_id', '=', tenantId)
            .where('id', '=', row.id)
            .execute();
        }
        const leads = await tx
          .selectFrom('leads')
          .select(['id', 'phone_enc'])
          .where('tenant_id', '=', tenantId)
          .where('phone_index', 'is', null)
          .where('phone_enc', 'is not', null)
          .limit(BATCH)
          .execute();
        for (const row of leads) {
          const phone = await sealer.open<string>('leads.phone', row.phone_enc);
          // '' marks "looked at, nothing to index", so the row is not read again.
          const index = (await sealer.indexAll('phone', phoneKeys(phone ? [phone] : [])))[0] ?? '';
          await tx.updateTable('leads').set({ phone_index: index }).where('tenant_id', '=', tenantId).where('id', '=', row.id).execute();
        }
        filled += contacts.length + leads.length;
        return contacts.length < BATCH && leads.length < BATCH;
      });
      if (done) break;
    }
  }
  return filled;
}
