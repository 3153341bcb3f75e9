import type { AppContext } from '../app-context.ts';
import { asCaller, type Audit, type Caller } from '../auth/context.ts';
import { Sealer } from '../crypto/sealer.ts';
import type { Tx } from '../db/tenant.ts';
import { finishPage } from '../http/pagination.ts';
import type { ProvenanceSource } from '../db/types.ts';
import { scopeOf, type Scope } from './visibility.ts';

/** Everything a CRM service call works with, inside one tenant transaction. */
export interface CrmWork {
  app: AppContext;
  caller: Caller;
  tenantId: string;
  memberId: string;
  tx: Tx;
  audit: Audit;
  /** For reads of people's records (see asCaller). */
  auditRead: Audit;
  scope: Scope;
  sealer: Sealer;
}

export function crmWork<T>(app: AppContext, caller: Caller, fn: (work: CrmWork) => Promise<T>): Promise<T> {
  return asCaller(app, caller, async (tx, audit, auditRead) => {
    const tenantId = caller.auth.tenantId;
    const scope = await scopeOf(tx, caller.auth);
    return fn({
      app,
      caller,
      tenantId,
      memberId: caller.auth.memberId,
      tx,
      audit,
      auditRead,
      scope,
      sealer: new Sealer(app, tx, tenantId),
    });
  });
}

/**
 * Who a list or search showed, one row per person (migrations/0030): the access report names
 * these reads too, not only the opening of the person's own record.
 */
export async function recordListRead(work: CrmWork, type: 'contact' | 'lead', ids: string[], searched: boolean): Promise<void> {
  if (ids.length === 0) return;
  await work.tx
    .insertInto('record_reads')
    .values(
      ids.map((id) => ({
        tenant_id: work.tenantId,
        person_id: id,
        person_type: type,
        action: `${type}.list` as const,
        searched,
        actor_type: work.caller.origin.actorType,
        actor_id: work.caller.origin.actorId,
      })),
    )
    .execute();
}

/**
 * Turns limit+1 rows of encrypted records into a page of views: the keys of the whole page are
 * loaded in one query first, so decrypting costs no round trip per row.
 */
export async function openPage<Row extends { _sort: unknown; id: string }, Item>(
  work: CrmWork,
  rows: Row[],
  limit: number,
  keyOf: (row: Row) => string,
  view: (work: CrmWork, row: Row) => Promise<Item>,
): Promise<{ items: Item[]; nextCursor: string | null }> {
  const page = finishPage(rows, limit, (row) => row);
  return { items: await openRows(work, page.items, keyOf, view), nextCursor: page.nextCursor };
}

/** Rows of encrypted records as views, their keys loaded in one query first. */
export async function openRows<Row, Item>(
  work: CrmWork,
  rows: Row[],
  keyOf: (row: Row) => string,
  view: (work: CrmWork, row: Row) => Promise<Item>,
): Promise<Item[]> {
  await work.sealer.preload(rows.map(keyOf));
  const items: Item[] = [];
  for (const row of rows) items.push(await view(work, row));
  return items;
}

/** The provenance columns of a person record (Art. 14): where it came from, when, brought in by whom. */
export function provenanceColumns(
  work: CrmWork,
  source: { type: ProvenanceSource; ref?: string | null | undefined; collectedAt?: string | Date | undefined },
) {
  return {
    source_type: source.type,
    source_ref: source.ref ?? null,
    collected_at: source.collectedAt ? new Date(source.collectedAt) : new Date(),
    collected_by: work.memberId,
  };
}

/** The entries of an update that were given (PATCH semantics: undefined means "leave as is"). */
export function definedOnly<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
