import crypto from 'node:crypto';
import type { AppContext } from '../app-context.ts';
import type { Tx } from '../db/tenant.ts';
import { KeyDestroyedError, type NewSubjectKey, type OfflineKeys } from './keys.ts';

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
    const clear = await this.app.keys.decryptFields(
      this.tx,
      this.tenantId,
      fields.map(([field, ciphertext]) => ({ field, ciphertext })),
    );
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

/** Fields of one person decrypted and parsed under the key read with their record (KeyService.decryptJoined). */
export async function openJoined(
  app: AppContext,
  tenantId: string,
  joined: { subjectId: string; wrappedKey: Uint8Array | null; tenantKeyVersion: number | null },
  fields: Array<[field: string, ciphertext: string | null]>,
): Promise<unknown[]> {
  const clear = await app.keys.decryptJoined(
    app.db,
    tenantId,
    joined,
    fields.map(([field, ciphertext]) => ({ field, ciphertext })),
  );
  return clear.map((text) => (text === null ? null : JSON.parse(text)));
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

  /** The workspace keys, for sealing workers (src/transfer/sealing-pool.ts). */
  get workspace() {
    return this.keys.workspace;
  }

  /** A new person sealed elsewhere (a sealing worker): their key is kept here like one made by newPerson. */
  adopt(subject: NewSubjectKey): void {
    this.subjects.set(subject.id, subject);
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
