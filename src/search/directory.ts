import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { KeyService } from '../crypto/keys.ts';
import type { Database } from '../db/connection.ts';
import type { StopListening } from '../db/notifications.ts';
import { inBackground } from '../db/priority.ts';
import { withTenant } from '../db/tenant.ts';
import { PeopleIndex, type PersonType } from './people-index.ts';
import { contactIdsOfAccounts, readPeople, readPeopleAfter } from './read-people.ts';

/** The channel of migration 0046's triggers. */
const CHANNEL = 'people_directory';
const SYNC = 'sync:';
/** How long a search waits for its own notification before it takes the listener for lost. */
const CATCH_UP_MS = 5_000;

/** The node cannot tell whether its directory is current: a 503 (the code reads as a network timeout, src/db/unavailable.ts). */
class DirectoryOutOfReach extends Error {
  readonly code = 'ETIMEDOUT';
}

interface Workspace {
  index: PeopleIndex;
  builtInMs: number;
}

/**
 * This node's directory of people, per workspace: names, addresses and companies decrypted into
 * memory (never written anywhere) so that search can match any part of them and lists can sort
 * by name, which no index over ciphertext can. A workspace is loaded on its first search; every
 * change to a person on any node reaches it within milliseconds through LISTEN/NOTIFY (migration
 * 0046), and each search first waits until every change committed before it began has been
 * applied, so a person created, renamed or erased anywhere is found, or not, at once.
 */
export class PeopleDirectory {
  private readonly workspaces = new Map<string, Promise<Workspace>>();
  private listening: Promise<StopListening> | undefined;
  /** Per workspace, changes are applied one after another, in the order they were committed. */
  private readonly applied = new Map<string, Promise<void>>();
  private readonly barriers = new Map<string, () => void>();

  constructor(
    private readonly db: Database,
    private readonly keys: KeyService,
  ) {}

  /** The workspace's people, with every change committed before this call applied. */
  async of(tenantId: string): Promise<PeopleIndex> {
    await this.listen();
    await this.catchUp(tenantId);
    let workspace = this.workspaces.get(tenantId);
    if (!workspace) {
      workspace = this.build(tenantId);
      this.workspaces.set(tenantId, workspace);
      workspace.catch(() => this.workspaces.delete(tenantId));
    }
    return (await workspace).index;
  }

  /**
   * Loads every workspace in the background (a serving node, at start): the first search of
   * each then finds it ready instead of waiting for its people to be decrypted.
   */
  warm(): Promise<void> {
    // On PGlite, requests go first (src/db/priority.ts).
    return inBackground(async () => {
      const tenants = await this.db.kysely.selectFrom('tenants').select('id').execute();
      for (const { id } of tenants) await this.of(id);
    });
  }

  /** What the directory holds, for the benchmark and the operator. */
  async stats(tenantId: string): Promise<{ people: number; words: number; builtInMs: number } | null> {
    const workspace = await this.workspaces.get(tenantId);
    return workspace ? { people: workspace.index.size, words: workspace.index.distinctWords, builtInMs: workspace.builtInMs } : null;
  }

  /** Forgets every workspace (they are rebuilt on next use), as a restart would. */
  reset(): void {
    this.workspaces.clear();
  }

  async close(): Promise<void> {
    const listening = this.listening;
    this.listening = undefined;
    if (listening) await (await listening.catch(() => async () => {}))();
  }

  private listen(): Promise<StopListening> {
    this.listening ??= this.db
      .listen(CHANNEL, {
        onMessage: (payload) => this.receive(payload),
        // Changes may have been missed while the connection was down: start again from the database.
        onGap: () => this.reset(),
      })
      .catch((error: unknown) => {
        this.listening = undefined;
        throw error;
      });
    return this.listening;
  }

  /**
   * A notification of our own goes out after every change committed so far (NOTIFY delivers in
   * commit order); once it is back and the changes before it are applied, the directory is current.
   */
  private async catchUp(tenantId: string): Promise<void> {
    const nonce = crypto.randomUUID();
    let timer: NodeJS.Timeout | undefined;
    const back = new Promise<void>((resolve, reject) => {
      this.barriers.set(nonce, resolve);
      timer = setTimeout(() => reject(new DirectoryOutOfReach('The search directory did not hear back from the database')), CATCH_UP_MS);
    });
    try {
      await this.db.kysely.executeQuery(sql`select pg_notify(${CHANNEL}, ${`${SYNC}${tenantId}:${nonce}`})`.compile(this.db.kysely));
      await back;
    } catch (error) {
      // A listener that no longer hears anything is replaced, and what it held is rebuilt.
      if (error instanceof DirectoryOutOfReach) void this.relisten();
      throw error;
    } finally {
      clearTimeout(timer);
      this.barriers.delete(nonce);
    }
  }

  private async relisten(): Promise<void> {
    await this.close();
    this.reset();
  }

  private after(tenantId: string, step: () => Promise<void> | void): void {
    const next = (this.applied.get(tenantId) ?? Promise.resolve()).then(step);
    this.applied.set(tenantId, next);
    void next.finally(() => {
      if (this.applied.get(tenantId) === next) this.applied.delete(tenantId);
    });
  }

  private receive(payload: string): void {
    if (payload.startsWith(SYNC)) {
      const [tenantId, nonce] = payload.slice(SYNC.length).split(':') as [string, string];
      const resolve = this.barriers.get(nonce);
      if (!resolve) return; // another node's
      this.after(tenantId, resolve);
      return;
    }
    const [tenantId, kind, list] = payload.split(':') as [string, string, string];
    const ids = list.split(',');
    // A key destroyed on another node must not stay readable here through the key cache.
    if (kind === 'key') this.keys.forgetSubjectKeys(tenantId, ids);
    const workspace = this.workspaces.get(tenantId);
    if (!workspace) return;
    this.after(tenantId, () => this.apply(tenantId, workspace, kind, ids));
  }

  private async apply(tenantId: string, pending: Promise<Workspace>, kind: string, ids: string[]): Promise<void> {
    try {
      // A change made while the index was being built is reread once it is built.
      const workspace = await pending;
      await this.reread(tenantId, workspace.index, kind, ids);
    } catch {
      // The index no longer matches the database: rebuild it on next use rather than serve it.
      if (this.workspaces.get(tenantId) === pending) this.workspaces.delete(tenantId);
    }
  }

  private async reread(tenantId: string, index: PeopleIndex, kind: string, ids: string[]): Promise<void> {
    if (kind === 'key') {
      for (const id of ids) index.remove(id);
      return;
    }
    const decrypt = this.keys.decryptFields.bind(this.keys);
    await withTenant(this.db, tenantId, async (tx) => {
      const contactIds = kind === 'account' ? await contactIdsOfAccounts(tx, tenantId, ids) : ids;
      const type: PersonType = kind === 'lead' ? 'lead' : 'contact';
      if (contactIds.length === 0) return;
      const people = await readPeople(decrypt, tx, tenantId, type, contactIds);
      const found = new Set(people.map((person) => person.id));
      for (const id of contactIds) if (!found.has(id)) index.remove(id);
      for (const person of people) index.upsert(person);
    });
  }

  private async build(tenantId: string): Promise<Workspace> {
    const started = performance.now();
    const workspace: Workspace = { index: new PeopleIndex(), builtInMs: 0 };
    const decrypt = this.keys.decryptFields.bind(this.keys);
    workspace.index.beginBulk();
    for (const type of ['contact', 'lead'] as const) {
      let after: string | null = null;
      do {
        const chunk = await withTenant(this.db, tenantId, (tx) => readPeopleAfter(decrypt, tx, tenantId, type, after));
        for (const person of chunk.people) workspace.index.upsert(person);
        after = chunk.lastId;
      } while (after);
    }
    workspace.index.endBulk();
    workspace.builtInMs = Math.round(performance.now() - started);
    return workspace;
  }
}
