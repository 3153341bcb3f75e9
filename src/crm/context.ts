import type { AppContext } from '../app-context.ts';
import { asCaller, type Audit, type Caller } from '../auth/context.ts';
import crypto from 'node:crypto';
import { KeyDestroyedError, type NewSubjectKey, type OfflineKeys } from '../crypto/keys.ts';
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

/** What sealing a person's record needs: their fields encrypted, their names and addresses indexed. */
export interface PersonSealer {
  seal(subjectId: string, field: string, value: unknown): Promise<string | null>;
  index(kind: string, normalisedValue: string): Promise<string>;
  indexAll(kind: string, values: string[]): Promise<string[]>;
}

const isEmpty = (value: unknown) => value === null || value === undefined || (Array.isArray(value) && value.length === 0);

/**
 * Encrypts and decrypts person fields as JSON under a subject's key, bound to table.column;
 * computes blind indexes under the workspace index key.
 */
export class Sealer implements PersonSealer {
  constructor(
    private readonly app: AppContext,
    private readonly tx: Tx,
    private readonly tenantId: string,
  ) {}

  async seal(subjectId: string, field: string, value: unknown): Promise<string | null> {
    if (isEmpty(value)) return null;
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

  /** Several fields at once (see KeyService.decryptFields), each parsed; null where absent or erased. */
  async openAll(fields: Array<[field: string, ciphertext: string | null]>): Promise<unknown[]> {
    const clear = await this.app.keys.decryptFields(this.tx, this.tenantId, fields.map(([field, ciphertext]) => ({ field, ciphertext })));
    return clear.map((text) => (text === null ? null : JSON.parse(text)));
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
 * Seals the records of new people outside any transaction (see KeyService.offline): each gets
 * a new key here, and the batch's transaction stores the keys of the records it keeps.
 */
export class NewPeopleSealer implements PersonSealer {
  private readonly subjects = new Map<string, NewSubjectKey>();

  constructor(private readonly keys: OfflineKeys) {}

  get version(): number {
    return this.keys.version;
  }

  newPerson(): string {
    const id = crypto.randomUUID();
    this.subjects.set(id, this.keys.newSubjectKey(id));
    return id;
  }

  /** The keys of these people, to store; forgotten here. */
  take(ids: string[]): NewSubjectKey[] {
    return ids.map((id) => {
      const subject = this.subjects.get(id);
      if (!subject) throw new Error(`no new key for ${id}`);
      this.subjects.delete(id);
      return subject;
    });
  }

  /** Forgets the keys of people not kept (duplicates). */
  drop(ids: string[]): void {
    for (const id of ids) this.subjects.delete(id);
  }

  async seal(subjectId: string, field: string, value: unknown): Promise<string | null> {
    if (isEmpty(value)) return null;
    const subject = this.subjects.get(subjectId);
    if (!subject) throw new Error(`no new key for ${subjectId}`);
    return this.keys.encrypt(subject, field, JSON.stringify(value));
  }

  async index(kind: string, normalisedValue: string): Promise<string> {
    return this.keys.index(kind, normalisedValue);
  }

  async indexAll(kind: string, values: string[]): Promise<string[]> {
    return values.map((value) => this.keys.index(kind, value));
  }
}

/**
 * Who a list or search showed, one row per person (migrations/0030): the access report names
 * these reads too, not only the opening of the person's own record.
 */
export async function recordListRead(work: CrmWork, type: 'contact' | 'lead', ids: string[], searched: boolean): Promise<void> {
  if (ids.length === 0) return;
  await work.tx
    .insertInto('record_reads')
    .values(ids.map((id) => ({ tenant_id: work.tenantId, person_id: id, person_type: type, action: `${type}.list` as const, searched, actor_type: work.caller.origin.actorType, actor_id: work.caller.origin.actorId })))
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
