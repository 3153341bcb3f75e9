import crypto from 'node:crypto';
import { unnestInsert } from '../db/bulk.ts';
import type { Database } from '../db/connection.ts';
import { withTenant, withUser, type Tx } from '../db/tenant.ts';
import { DecryptionError, open, randomKey, seal } from './aead.ts';
import type { MasterKeyProvider } from './master-keys.ts';

export class KeyDestroyedError extends DecryptionError {
  constructor(readonly subjectId: string) {
    super(`the data key of subject ${subjectId} was destroyed`);
  }
}

const FIELD_PREFIX = 'enc1';
const SUBJECT_KEY_TTL_MS = 5 * 60_000;
const SUBJECT_KEY_CACHE_LIMIT = 100_000;

const tenantKeyContext = (tenantId: string, id: number, purpose: string) => `tenant-key:${tenantId}:${id}:${purpose}`;
const subjectKeyContext = (tenantId: string, subjectId: string) => `subject-key:${tenantId}:${subjectId}`;
const fieldContext = (tenantId: string, subjectId: string, field: string) => `field:${tenantId}:${subjectId}:${field}`;

/**
 * Envelope encryption: master key -> tenant keys -> per-data-subject keys -> field values.
 * Unwrapped keys are cached in memory (tenant keys for the life of the process, subject keys for
 * a few minutes) so that reading a page of records does not unwrap a key per field.
 */
export class KeyService {
  private readonly tenantKeys = new Map<string, Buffer>();
  /** Which tenant key version new keys are wrapped under; re-read every minute, so a rotation elsewhere is picked up. */
  private readonly activeDataKey = new Map<string, { id: number; until: number }>();
  private readonly activeKeyLookups = new Map<string, Promise<number>>();
  /** Subject keys as key objects: the cipher is set up from one without importing the key again (a third of a field's decryption). */
  private readonly subjectKeys = new Map<string, { key: crypto.KeyObject; until: number }>();
  private systemKey: Buffer | undefined;

  constructor(readonly master: MasterKeyProvider) {}

  /** Creates the data and blind-index keys of a new workspace. */
  async createTenantKeys(tx: Tx, tenantId: string): Promise<void> {
    for (const [id, purpose] of [
      [1, 'data'],
      [2, 'index'],
    ] as const) {
      const key = randomKey();
      const { keyId, wrapped } = await this.master.wrap(key, tenantKeyContext(tenantId, id, purpose));
      await tx.insertInto('tenant_keys').values({ tenant_id: tenantId, id, purpose, wrapped_key: wrapped, master_key_id: keyId }).execute();
      this.tenantKeys.set(`${tenantId}:${id}`, key);
    }
  }

  private async tenantKey(tx: Tx, tenantId: string, id: number): Promise<Buffer> {
    const cached = this.tenantKeys.get(`${tenantId}:${id}`);
    if (cached) return cached;
    const row = await tx
      .selectFrom('tenant_keys')
      .select(['purpose', 'wrapped_key', 'master_key_id'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const key = await this.master.unwrap(row.master_key_id, row.wrapped_key, tenantKeyContext(tenantId, id, row.purpose));
    this.tenantKeys.set(`${tenantId}:${id}`, key);
    return key;
  }

  private async tenantKeyId(tx: Tx, tenantId: string, purpose: 'data' | 'index'): Promise<number> {
    const cacheKey = `${tenantId}:${purpose}`;
    const cached = this.activeDataKey.get(cacheKey);
    if (cached && cached.until > Date.now()) return cached.id;
    // Callers in parallel (a batch of blind indexes) share one lookup instead of one each.
    const pending = this.activeKeyLookups.get(cacheKey);
    if (pending) return pending;
    const lookup = tx
      .selectFrom('tenant_keys')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('purpose', '=', purpose)
      .where('retired_at', 'is', null)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow()
      .then((row) => {
        this.activeDataKey.set(cacheKey, { id: row.id, until: Date.now() + 60_000 });
        return row.id;
      })
      .finally(() => this.activeKeyLookups.delete(cacheKey));
    this.activeKeyLookups.set(cacheKey, lookup);
    return lookup;
  }

  /** The data key of one data subject, created on first use. */
  async subjectKey(tx: Tx, tenantId: string, subjectId: string, options: { create: boolean }): Promise<crypto.KeyObject | Buffer> {
    const cacheKey = `${tenantId}:${subjectId}`;
    const cached = this.subjectKeys.get(cacheKey);
    if (cached && cached.until > Date.now()) return cached.key;

    const row = await tx
      .selectFrom('subject_keys')
      .select(['wrapped_key', 'tenant_key_version'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', subjectId)
      .executeTakeFirst();
    let key: Buffer;
    if (row) {
      if (!row.wrapped_key) throw new KeyDestroyedError(subjectId);
      const tenantKey = await this.tenantKey(tx, tenantId, row.tenant_key_version);
      key = open(tenantKey, row.wrapped_key, subjectKeyContext(tenantId, subjectId));
    } else {
      if (!options.create) throw new KeyDestroyedError(subjectId);
      const version = await this.tenantKeyId(tx, tenantId, 'data');
      key = randomKey();
      const wrapped = seal(await this.tenantKey(tx, tenantId, version), key, subjectKeyContext(tenantId, subjectId));
      await tx
        .insertInto('subject_keys')
        .values({ tenant_id: tenantId, id: subjectId, wrapped_key: wrapped, tenant_key_version: version })
        .execute();
    }
    this.cacheSubjectKey(cacheKey, key);
    return key;
  }

  /** Creates the keys of many new subjects with one insert (bulk import). */
  async createSubjectKeys(tx: Tx, tenantId: string, subjectIds: string[]): Promise<void> {
    if (subjectIds.length === 0) return;
    const version = await this.tenantKeyId(tx, tenantId, 'data');
    const tenantKey = await this.tenantKey(tx, tenantId, version);
    const keys = subjectIds.map((id) => {
      const key = randomKey();
      return { id, key, wrappedKey: seal(tenantKey, key, subjectKeyContext(tenantId, id)) };
    });
    await this.storeSubjectKeys(tx, tenantId, version, keys);
  }

  /** Loads the keys of many subjects in one query (a page of records), so decrypting them costs no round trip each. */
  async preloadSubjectKeys(tx: Tx, tenantId: string, subjectIds: Iterable<string>): Promise<void> {
    const now = Date.now();
    const missing = [...new Set(subjectIds)].filter((id) => !((this.subjectKeys.get(`${tenantId}:${id}`)?.until ?? 0) > now));
    if (missing.length === 0) return;
    for (const [id, key] of await this.unwrapSubjectKeys(tx, tenantId, missing)) this.cacheSubjectKey(`${tenantId}:${id}`, key);
  }

  /** The live keys of these subjects, unwrapped from one query, cached nowhere. */
  private async unwrapSubjectKeys(tx: Tx, tenantId: string, subjectIds: string[]): Promise<Map<string, Buffer>> {
    const keys = new Map<string, Buffer>();
    if (subjectIds.length === 0) return keys;
    const rows = await tx
      .selectFrom('subject_keys')
      .select(['id', 'wrapped_key', 'tenant_key_version'])
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', subjectIds)
      .execute();
    for (const row of rows) {
      if (!row.wrapped_key) continue;
      const tenantKey = await this.tenantKey(tx, tenantId, row.tenant_key_version);
      keys.set(row.id, open(tenantKey, row.wrapped_key, subjectKeyContext(tenantId, row.id)));
    }
    return keys;
  }

  /**
   * Drops cached keys of these subjects: another node destroyed them (the cache would otherwise
   * keep reading a person erased elsewhere until it expires).
   */
  forgetSubjectKeys(tenantId: string, subjectIds: string[]): void {
    for (const id of subjectIds) this.subjectKeys.delete(`${tenantId}:${id}`);
  }

  private cacheSubjectKey(cacheKey: string, key: Buffer): void {
    if (this.subjectKeys.size >= SUBJECT_KEY_CACHE_LIMIT) {
      const oldest = this.subjectKeys.keys().next().value;
      if (oldest !== undefined) this.subjectKeys.delete(oldest);
    }
    this.subjectKeys.set(cacheKey, { key: crypto.createSecretKey(key), until: Date.now() + SUBJECT_KEY_TTL_MS });
  }

  /**
   * Crypto-shredding: the subject's key is destroyed, so every ciphertext made with it, in this
   * database or in any backup, can no longer be decrypted.
   */
  async destroySubjectKey(tx: Tx, tenantId: string, subjectId: string): Promise<boolean> {
    this.subjectKeys.delete(`${tenantId}:${subjectId}`);
    const result = await tx
      .updateTable('subject_keys')
      .set({ wrapped_key: null, destroyed_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', subjectId)
      .where('wrapped_key', 'is not', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Destroys many subjects' keys in one statement (bulk deletions); returns how many were live. */
  async destroySubjectKeys(tx: Tx, tenantId: string, subjectIds: string[]): Promise<number> {
    if (subjectIds.length === 0) return 0;
    for (const id of subjectIds) this.subjectKeys.delete(`${tenantId}:${id}`);
    const result = await tx
      .updateTable('subject_keys')
      .set({ wrapped_key: null, destroyed_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', subjectIds)
      .where('wrapped_key', 'is not', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Encrypts one field value of a data subject; the subject id (its key id) travels in the ciphertext. */
  async encryptField(tx: Tx, tenantId: string, subjectId: string, field: string, value: string): Promise<string> {
    return sealField(await this.subjectKey(tx, tenantId, subjectId, { create: true }), tenantId, subjectId, field, value);
  }

  /**
   * Decrypts many field values at once (a record, a page of records): the keys they need are
   * loaded in one query, the rest is synchronous. A value whose key was destroyed (the person was
   * erased) or never existed is null, as is an absent value.
   */
  async decryptFields(
    tx: Tx,
    tenantId: string,
    values: Array<{ field: string; ciphertext: string | null }>,
    options: { cache: boolean } = { cache: true },
  ): Promise<Array<string | null>> {
    const parsed = values.map(({ ciphertext }) => (ciphertext === null ? null : parseField(ciphertext)));
    const subjects = [...new Set(parsed.flatMap((field) => (field ? [field.subjectId] : [])))];
    // A bulk read of everyone (the search directory) must not push the keys of the people being
    // worked on out of the cache.
    const keys = options.cache ? await this.subjectKeysOf(tx, tenantId, subjects) : await this.unwrapSubjectKeys(tx, tenantId, subjects);
    return parsed.map((field, i) => {
      if (!field) return null;
      const key = keys.get(field.subjectId);
      return key
        ? open(key, Buffer.from(field.body, 'base64url'), fieldContext(tenantId, field.subjectId, values[i]!.field)).toString('utf8')
        : null;
    });
  }

  /** The live keys of these subjects, from the cache or one query (preloadSubjectKeys); destroyed and unknown ones are missing. */
  private async subjectKeysOf(tx: Tx, tenantId: string, subjectIds: string[]): Promise<Map<string, crypto.KeyObject | Buffer>> {
    await this.preloadSubjectKeys(tx, tenantId, subjectIds);
    const keys = new Map<string, crypto.KeyObject | Buffer>();
    const now = Date.now();
    for (const id of subjectIds) {
      // An expired entry is a key destroyed since (preload found no live key to refresh it with).
      const cached = this.subjectKeys.get(`${tenantId}:${id}`);
      if (cached && cached.until > now) keys.set(id, cached.key);
    }
    return keys;
  }

  /**
   * Keys read along with their records (subject_keys joined in the page's own statement) go into
   * the cache, so opening the page needs no query for them: unwrapped once per person unless
   * cached, and dropped from the cache when destroyed (erased on another node). Without the
   * workspace key in memory they are left to the ordinary lookup.
   */
  adoptJoinedKeys(
    tenantId: string,
    joined: Array<{ subjectId: string; wrappedKey: Uint8Array | null; tenantKeyVersion: number | null }>,
  ): void {
    const now = Date.now();
    for (const { subjectId, wrappedKey, tenantKeyVersion } of joined) {
      const cacheKey = `${tenantId}:${subjectId}`;
      if (!wrappedKey || tenantKeyVersion === null) {
        this.subjectKeys.delete(cacheKey);
        continue;
      }
      if ((this.subjectKeys.get(cacheKey)?.until ?? 0) > now) continue;
      const tenantKey = this.tenantKeys.get(`${tenantId}:${tenantKeyVersion}`);
      if (tenantKey) this.cacheSubjectKey(cacheKey, open(tenantKey, wrappedKey, subjectKeyContext(tenantId, subjectId)));
    }
  }

  /**
   * Decrypts one subject's fields under its key as read along with the record (subject_keys
   * joined in the record's own statement): no query for the key, so a read can be one round
   * trip, and a key destroyed on another node is never taken from a stale cache. The workspace
   * key is cached (a query of its own the first time only). A value sealed under another
   * subject's key is decrypted the ordinary way.
   */
  async decryptJoined(
    db: Database,
    tenantId: string,
    joined: { subjectId: string; wrappedKey: Uint8Array | null; tenantKeyVersion: number | null },
    values: Array<{ field: string; ciphertext: string | null }>,
  ): Promise<Array<string | null>> {
    const cacheKey = `${tenantId}:${joined.subjectId}`;
    let key: Buffer | null = null;
    if (joined.wrappedKey && joined.tenantKeyVersion !== null) {
      const version = joined.tenantKeyVersion;
      const tenantKey =
        this.tenantKeys.get(`${tenantId}:${version}`) ?? (await withTenant(db, tenantId, (tx) => this.tenantKey(tx, tenantId, version)));
      key = open(tenantKey, joined.wrappedKey, subjectKeyContext(tenantId, joined.subjectId));
      this.cacheSubjectKey(cacheKey, key);
    } else {
      this.subjectKeys.delete(cacheKey);
    }
    const parsed = values.map(({ ciphertext }) => (ciphertext === null ? null : parseField(ciphertext)));
    const elsewhere = values.filter((_, i) => parsed[i] && parsed[i].subjectId !== joined.subjectId);
    const others = elsewhere.length > 0 ? await withTenant(db, tenantId, (tx) => this.decryptFields(tx, tenantId, elsewhere)) : [];
    return parsed.map((field, i) => {
      if (!field) return null;
      if (field.subjectId !== joined.subjectId) return others[elsewhere.indexOf(values[i]!)] ?? null;
      return key
        ? open(key, Buffer.from(field.body, 'base64url'), fieldContext(tenantId, field.subjectId, values[i]!.field)).toString('utf8')
        : null;
    });
  }

  async decryptField(tx: Tx, tenantId: string, field: string, ciphertext: string): Promise<string> {
    const { subjectId, body } = parseField(ciphertext);
    const key = await this.subjectKey(tx, tenantId, subjectId, { create: false });
    return open(key, Buffer.from(body, 'base64url'), fieldContext(tenantId, subjectId, field)).toString('utf8');
  }

  /**
   * Blind index: a keyed HMAC of the normalised value, so equal values can be found without
   * storing them. The key is the workspace's index key, which rotation of data keys leaves alone.
   */
  async blindIndex(tx: Tx, tenantId: string, kind: string, normalisedValue: string): Promise<string> {
    return indexUnder(await this.tenantKey(tx, tenantId, await this.tenantKeyId(tx, tenantId, 'index')), kind, normalisedValue);
  }

  /**
   * The workspace's keys for bulk work prepared outside a transaction (an import's next batch is
   * encrypted while the database stores the previous one): new people's keys are made and
   * wrapped, their fields sealed and indexed, all in memory; storeSubjectKeys stores the keys
   * of those that are kept, in the batch's transaction.
   */
  async offline(db: Database, tenantId: string): Promise<OfflineKeys> {
    const { version, dataKey, indexKey } = await withTenant(db, tenantId, async (tx) => {
      const version = await this.tenantKeyId(tx, tenantId, 'data');
      return {
        version,
        dataKey: await this.tenantKey(tx, tenantId, version),
        indexKey: await this.tenantKey(tx, tenantId, await this.tenantKeyId(tx, tenantId, 'index')),
      };
    });
    return offlineKeysFrom({ tenantId, version, dataKey, indexKey });
  }

  /** Stores new subjects' wrapped keys (made by createSubjectKeys or offline) in one statement. */
  async storeSubjectKeys(
    tx: Tx,
    tenantId: string,
    version: number,
    keys: Array<{ id: string; key: Buffer; wrappedKey: Buffer }>,
  ): Promise<void> {
    if (keys.length === 0) return;
    for (const subject of keys) this.cacheSubjectKey(`${tenantId}:${subject.id}`, subject.key);
    await unnestInsert<(typeof keys)[number]>(
      'subject_keys',
      [
        { name: 'tenant_id', type: 'uuid', constant: tenantId },
        { name: 'id', type: 'uuid', of: (row) => row.id },
        { name: 'wrapped_key', type: 'bytea', of: (row) => row.wrappedKey },
        { name: 'tenant_key_version', type: 'integer', constant: version },
      ],
      keys,
    ).execute(tx);
  }

  /** The installation's own key (TOTP secrets, CSRF tokens), created on first use. */
  async systemSecret(tx: Tx): Promise<Buffer> {
    if (this.systemKey) return this.systemKey;
    const row = await tx.selectFrom('system_keys').select(['wrapped_key', 'master_key_id']).where('id', '=', 'system').executeTakeFirst();
    if (row) {
      this.systemKey = await this.master.unwrap(row.master_key_id, row.wrapped_key, 'system-key:system');
    } else {
      const key = randomKey();
      const { keyId, wrapped } = await this.master.wrap(key, 'system-key:system');
      // Two nodes may race to create it; the loser reads the winner's key.
      const inserted = await tx
        .insertInto('system_keys')
        .values({ id: 'system', wrapped_key: wrapped, master_key_id: keyId })
        .onConflict((conflict) => conflict.column('id').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return this.systemSecret(tx);
      this.systemKey = key;
    }
    return this.systemKey;
  }

  async sealWithSystemKey(tx: Tx, purpose: string, value: string): Promise<string> {
    return seal(await this.systemSecret(tx), Buffer.from(value, 'utf8'), `system:${purpose}`).toString('base64url');
  }

  async openWithSystemKey(tx: Tx, purpose: string, sealed: string): Promise<string> {
    return open(await this.systemSecret(tx), Buffer.from(sealed, 'base64url'), `system:${purpose}`).toString('utf8');
  }

  /** Loads (or creates) the system key; buildApp calls it once so request paths never wait for it. */
  async loadSystemKey(db: Database): Promise<void> {
    await withUser(db, null, (tx) => this.systemSecret(tx));
  }

  /** Keyed hash under the system key (CSRF tokens); the key must have been loaded. */
  systemHmac(purpose: string, value: string): string {
    if (!this.systemKey) throw new Error('system key not loaded (KeyService.loadSystemKey)');
    return crypto.createHmac('sha256', this.systemKey).update(`${purpose}\u0000${value}`).digest('base64url');
  }
}

/** A new subject's key, in clear and wrapped under the workspace's data key. */
export interface NewSubjectKey {
  id: string;
  key: Buffer;
  wrappedKey: Buffer;
}

export interface OfflineKeys {
  /** The workspace data key version new keys are wrapped under. */
  version: number;
  /** The keys themselves, for a sealing worker. */
  workspace: WorkspaceKeys;
  newSubjectKey(subjectId: string): NewSubjectKey;
  encrypt(subject: NewSubjectKey, field: string, value: string): string;
  index(kind: string, normalisedValue: string): string;
}

/** The workspace keys an offline sealer works with; in memory only (a sealing worker receives them with each task). */
export interface WorkspaceKeys {
  tenantId: string;
  version: number;
  dataKey: Uint8Array;
  indexKey: Uint8Array;
}

/** OfflineKeys over workspace keys already unwrapped (KeyService.offline, or a sealing worker). */
export function offlineKeysFrom({ tenantId, version, dataKey, indexKey }: WorkspaceKeys): OfflineKeys {
  return {
    version,
    workspace: { tenantId, version, dataKey, indexKey },
    newSubjectKey: (subjectId) => {
      const key = randomKey();
      return { id: subjectId, key, wrappedKey: seal(dataKey, key, subjectKeyContext(tenantId, subjectId)) };
    },
    encrypt: (subject, field, value) => sealField(subject.key, tenantId, subject.id, field, value),
    index: (kind, normalisedValue) => indexUnder(indexKey, kind, normalisedValue),
  };
}

function parseField(ciphertext: string): { subjectId: string; body: string } {
  const [prefix, subjectId, body] = ciphertext.split(':');
  if (prefix !== FIELD_PREFIX || !subjectId || !body) throw new DecryptionError('not a field ciphertext');
  return { subjectId, body };
}

function sealField(key: Uint8Array | crypto.KeyObject, tenantId: string, subjectId: string, field: string, value: string): string {
  return `${FIELD_PREFIX}:${subjectId}:${seal(key, Buffer.from(value, 'utf8'), fieldContext(tenantId, subjectId, field)).toString('base64url')}`;
}

function indexUnder(key: Uint8Array, kind: string, normalisedValue: string): string {
  return crypto.createHmac('sha256', key).update(`${kind}\u0000${normalisedValue}`).digest('base64url');
}

/**
 * Re-wraps every stored key that is not wrapped by the current master key. Data is untouched
 * and the server keeps running: until the old master key is removed from the keyring, both work.
 */
export async function rotateMasterKey(db: Database, master: MasterKeyProvider): Promise<{ rewrapped: number; tenants: number }> {
  const current = master.currentKeyId();
  let rewrapped = 0;

  const systemRows = await db.kysely.selectFrom('system_keys').selectAll().where('master_key_id', '!=', current).execute();
  for (const row of systemRows) {
    const key = await master.unwrap(row.master_key_id, row.wrapped_key, `system-key:${row.id}`);
    const { keyId, wrapped } = await master.wrap(key, `system-key:${row.id}`);
    await db.kysely.updateTable('system_keys').set({ wrapped_key: wrapped, master_key_id: keyId }).where('id', '=', row.id).execute();
    rewrapped++;
  }

  const tenants = await db.kysely.selectFrom('tenants').select('id').orderBy('id').execute();
  for (const { id: tenantId } of tenants) {
    rewrapped += await withTenant(db, tenantId, async (tx) => {
      // Locked so that a concurrent rotation does not wrap the same key twice.
      const rows = await tx
        .selectFrom('tenant_keys')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('master_key_id', '!=', current)
        .forUpdate()
        .execute();
      for (const row of rows) {
        const context = tenantKeyContext(tenantId, row.id, row.purpose);
        const key = await master.unwrap(row.master_key_id, row.wrapped_key, context);
        const { keyId, wrapped } = await master.wrap(key, context);
        await tx
          .updateTable('tenant_keys')
          .set({ wrapped_key: wrapped, master_key_id: keyId })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', row.id)
          .execute();
      }
      return rows.length;
    });
  }
  return { rewrapped, tenants: tenants.length };
}

/**
 * Rotates a workspace's data key online: a new version is created and becomes the one new keys
 * are wrapped under, every person's key is re-wrapped under it in batches (their data is not
 * touched). A retired version is destroyed once it has been retired for five minutes and no key
 * is wrapped under it: nodes may wrap under it for up to a minute after a rotation, and a later
 * run re-wraps those and destroys it.
 * The blind-index key is not rotated: that needs every indexed value in clear.
 */
export async function rotateTenantDataKey(
  db: Database,
  master: MasterKeyProvider,
  tenantId: string,
  options: { batchSize?: number; retiredForMs?: number } = {},
): Promise<{ version: number; rewrapped: number; destroyed: number[] }> {
  const batchSize = options.batchSize ?? 1000;
  // Nodes re-read the active version every minute; until then they may still wrap under a retired one.
  const retiredFor = options.retiredForMs ?? 5 * 60_000;
  const version = await withTenant(db, tenantId, async (tx) => {
    const keys = await tx.selectFrom('tenant_keys').selectAll().where('tenant_id', '=', tenantId).forUpdate().execute();
    const next = Math.max(...keys.map((k) => k.id)) + 1;
    const { keyId, wrapped } = await master.wrap(randomKey(), tenantKeyContext(tenantId, next, 'data'));
    await tx
      .insertInto('tenant_keys')
      .values({ tenant_id: tenantId, id: next, purpose: 'data', wrapped_key: wrapped, master_key_id: keyId })
      .execute();
    await tx
      .updateTable('tenant_keys')
      .set({ retired_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('purpose', '=', 'data')
      .where('id', '!=', next)
      .where('retired_at', 'is', null)
      .execute();
    return next;
  });
  const unwrapTenantKey = async (tx: Tx, id: number) => {
    const row = await tx
      .selectFrom('tenant_keys')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return master.unwrap(row.master_key_id, row.wrapped_key, tenantKeyContext(tenantId, id, row.purpose));
  };
  let rewrapped = 0;
  for (;;) {
    const moved = await withTenant(db, tenantId, async (tx) => {
      const rows = await tx
        .selectFrom('subject_keys')
        .select(['id', 'wrapped_key', 'tenant_key_version'])
        .where('tenant_id', '=', tenantId)
        .where('tenant_key_version', '!=', version)
        .where('wrapped_key', 'is not', null)
        .limit(batchSize)
        .forUpdate()
        .execute();
      const target = await unwrapTenantKey(tx, version);
      const sources = new Map<number, Buffer>();
      for (const row of rows) {
        if (!sources.has(row.tenant_key_version)) sources.set(row.tenant_key_version, await unwrapTenantKey(tx, row.tenant_key_version));
        const key = open(sources.get(row.tenant_key_version)!, row.wrapped_key!, subjectKeyContext(tenantId, row.id));
        await tx
          .updateTable('subject_keys')
          .set({ wrapped_key: seal(target, key, subjectKeyContext(tenantId, row.id)), tenant_key_version: version })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', row.id)
          .execute();
      }
      return rows.length;
    });
    rewrapped += moved;
    if (moved < batchSize) break;
  }
  // A retired version nothing is wrapped under any more is deleted. Shredded keys have nothing to
  // re-wrap; they only follow to the new version.
  const destroyed = await withTenant(db, tenantId, async (tx) => {
    await tx
      .updateTable('subject_keys')
      .set({ tenant_key_version: version })
      .where('tenant_id', '=', tenantId)
      .where('wrapped_key', 'is', null)
      .where('tenant_key_version', '!=', version)
      .execute();
    const unused = await tx
      .deleteFrom('tenant_keys')
      .where('tenant_id', '=', tenantId)
      .where('purpose', '=', 'data')
      .where('retired_at', '<', new Date(Date.now() - retiredFor))
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('subject_keys')
              .select('id')
              .whereRef('subject_keys.tenant_id', '=', 'tenant_keys.tenant_id')
              .whereRef('subject_keys.tenant_key_version', '=', 'tenant_keys.id'),
          ),
        ),
      )
      .returning('id')
      .execute();
    return unused.map((row) => row.id);
  });
  return { version, rewrapped, destroyed };
}

/** Master key ids the database still needs; startup refuses to run without all of them. */
export async function masterKeysInUse(db: Database): Promise<string[]> {
  const ids = new Set<string>();
  const systemRows = await db.kysely.selectFrom('system_keys').select('master_key_id').distinct().execute();
  for (const row of systemRows) ids.add(row.master_key_id);
  const tenants = await db.kysely.selectFrom('tenants').select('id').execute();
  for (const { id: tenantId } of tenants) {
    const rows = await withTenant(db, tenantId, (tx) =>
      tx.selectFrom('tenant_keys').select('master_key_id').distinct().where('tenant_id', '=', tenantId).execute(),
    );
    for (const row of rows) ids.add(row.master_key_id);
  }
  return [...ids];
}
