import type { AppContext } from '../app-context.ts';
import { asCaller, type Audit, type Caller } from '../auth/context.ts';
import { Sealer } from '../crypto/sealer.ts';
import { unnestInsert } from '../db/bulk.ts';
import { writeAtCommit, type Tx } from '../db/tenant.ts';
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
  const { actorType, actorId } = work.caller.origin;
  // One text whatever the page's length, prepared once per connection; nothing in the
  // transaction reads it back, so it goes out with COMMIT.
  const statement = unnestInsert<string>(
    'record_reads',
    [
      { name: 'tenant_id', type: 'uuid', constant: work.tenantId },
      { name: 'person_id', type: 'uuid', of: (id) => id },
      { name: 'person_type', type: 'person_type', constant: type },
      { name: 'action', type: 'text', constant: `${type}.list` },
      { name: 'searched', type: 'boolean', constant: searched },
      { name: 'actor_type', type: 'text', constant: actorType },
      { name: 'actor_id', type: 'text', constant: actorId },
    ],
    ids,
  );
  await writeAtCommit(work.tx, { compile: () => statement.compile(work.tx) }, { prepared: true });
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

/** A person record read with its wrapped key (subject_keys left-joined on the record's id). */
export interface JoinedKeyRow {
  id: string;
  wrapped_key: Uint8Array | null;
  tenant_key_version: number | null;
}

/** Puts the keys read with a page of person records into the key cache (KeyService.adoptJoinedKeys); returns the rows. */
export function adoptJoinedKeys<R extends JoinedKeyRow>(work: CrmWork, rows: R[]): R[] {
  work.app.keys.adoptJoinedKeys(
    work.tenantId,
    rows.map((row) => ({ subjectId: row.id, wrappedKey: row.wrapped_key, tenantKeyVersion: row.tenant_key_version })),
  );
  return rows;
}

/** The provenance columns of a person record (Art. 14): where it came from, when, brought in by whom. */
export function provenanceColumns(
  work: Pick<CrmWork, 'memberId'>,
  source: {
    type: ProvenanceSource;
    ref?: string | null | undefined;
    collectedAt?: string | Date | undefined;
    fromPerson?: boolean | undefined;
  },
) {
  return {
    source_type: source.type,
    source_ref: source.ref ?? null,
    collected_at: source.collectedAt ? new Date(source.collectedAt) : new Date(),
    collected_by: work.memberId,
    // Not owing an Art. 14 notice (migration 0050): a web form, or what the person handed over themselves.
    obtained_from_person: source.type === 'form' || source.fromPerson === true,
  };
}

/** The entries of an update that were given (PATCH semantics: undefined means "leave as is"). */
export function definedOnly<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
