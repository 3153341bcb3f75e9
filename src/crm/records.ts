import { unprocessable } from '../http/errors.ts';
import type { CrmRecordType } from '../db/types.ts';
import type { CrmWork } from './context.ts';
import { recordVisible } from './visibility.ts';

export const TABLE_OF = { account: 'accounts', contact: 'contacts', lead: 'leads', opportunity: 'opportunities' } as const;

/** Records about a single person: free text attached to them is encrypted under that person's key. */
export const PERSON_RECORDS: readonly CrmRecordType[] = ['contact', 'lead'];

export async function isRecordVisible(work: CrmWork, type: CrmRecordType, id: string): Promise<boolean> {
  const table = TABLE_OF[type];
  const row = await work.tx
    .selectFrom(table)
    .select(`${table}.id` as 'id')
    .where(`${table}.tenant_id` as 'tenant_id', '=', work.tenantId)
    .where(`${table}.id` as 'id', '=', id)
    .where(recordVisible(work.scope, table, type))
    .executeTakeFirst();
  return Boolean(row);
}

export async function assertRecordReference(work: CrmWork, record: { type: CrmRecordType; id: string }): Promise<void> {
  if (!(await isRecordVisible(work, record.type, record.id))) {
    throw unprocessable(`record does not name a ${record.type} you can see.`, { field: 'record' });
  }
}
