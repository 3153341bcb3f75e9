import type { AppContext } from '../app-context.ts';
import { asCaller, type Audit, type Caller } from '../auth/context.ts';
import { KeyDestroyedError } from '../crypto/keys.ts';
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
    return fn({ app, caller, tenantId, memberId: caller.auth.memberId, tx, audit, auditRead, scope, sealer: new Sealer(app, tx, tenantId) });
  });
}

/**
 * Encrypts and decrypts person fields as JSON under a subject's key, bound to table.column;
 * computes blind indexes under the workspace index key.
 */
export class Sealer {
  constructor(
    private readonly app: AppContext,
    private readonly tx: Tx,
    private readonly tenantId: string,
  ) {}

  async seal(subjectId: string, field: string, value: unknown): Promise<string | null> {
    if (value === null || value === undefined || (Array.isArray(value) && value.length === 0)) return null;
    return this.app.keys.encryptField(this.tx, this.tenantId, subjectId, field, JSON.stringify(value));
  }

  /** null for an absent value, and for one whose key was destroyed (the person was erased). */
  async open<T>(field: string, ciphertext: string | null): Promise<T | null> {
    if (ciphertext === null) return null;
    try {
      return JSON.parse(await this.app.keys.decryptField(this.tx, this.tenantId, field, ciphertext)) as T;
    } catch (error) {
      if (error instanceof KeyDestroyedError) return null;
      throw error;
    }
  }

  index(kind: string, normalisedValue: string): Promise<string> {
    return this.app.keys.blindIndex(this.tx, this.tenantId, kind, normalisedValue);
  }

  indexAll(kind: string, values: string[]): Promise<string[]> {
    return Promise.all(values.map((value) => this.index(kind, value)));
  }

  preload(subjectIds: Iterable<string>): Promise<void> {
    return this.app.keys.preloadSubjectKeys(this.tx, this.tenantId, subjectIds);
  }

  destroy(subjectId: string): Promise<boolean> {
    return this.app.keys.destroySubjectKey(this.tx, this.tenantId, subjectId);
  }
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
  await work.sealer.preload(rows.map(keyOf));
  const page = finishPage(rows, limit, (row) => row);
  const items: Item[] = [];
  for (const row of page.items) items.push(await view(work, row));
  return { items, nextCursor: page.nextCursor };
}

/** The provenance columns of a person record (Art. 14): where it came from, when, brought in by whom. */
export function provenanceColumns(work: CrmWork, source: { type: ProvenanceSource; ref?: string | null | undefined; collectedAt?: string | Date | undefined }) {
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

export const iso = (value: Date | string | null | undefined): string | null => (value ? new Date(value).toISOString() : null);
export const isoRequired = (value: Date | string): string => new Date(value).toISOString();
