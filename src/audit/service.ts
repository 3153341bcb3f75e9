import net from 'node:net';
import { sql, type Compilable, type Expression } from 'kysely';
import type { Database } from '../db/connection.ts';
import { withTenant, writeAtCommit, type Tx } from '../db/tenant.ts';
import type { AuditEventRow, AuditReadLogRow } from '../db/types.ts';
import { eventHash, GENESIS_HASH, type ChainedFields } from './chain.ts';
import type { AuditAnchor } from './anchors.ts';

export type ActorType = 'member' | 'api_token' | 'system' | 'data_subject';

/** Who acted and from where; the same for every event a request writes. */
export interface AuditOrigin {
  actorType: ActorType;
  actorId: string | null;
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
}

export interface AuditEntry {
  action: string;
  objectType?: string | null;
  objectId?: string | null;
  /** Names of the fields involved, never their values. */
  fields?: string[];
}

/**
 * Data subjects are not staff: their address is kept only to its network (IPv4 /24, IPv6 /48),
 * which identifies no one, so erasing a person never has to rewrite the trail.
 */
export function auditIp(ip: string | null | undefined, actorType: ActorType): string | null {
  if (!ip) return null;
  return actorType === 'data_subject' ? networkOf(ip) : ip;
}

/**
 * A data subject's browser is kept only as its family ("Firefox", "Chrome", …): a full user-agent
 * string, with versions and platform, can single a person out, and the trail is never rewritten.
 */
export function auditUserAgent(userAgent: string | null | undefined, actorType: ActorType): string | null {
  if (!userAgent) return null;
  if (actorType !== 'data_subject') return userAgent.slice(0, MAX_USER_AGENT);
  const families: Array<[RegExp, string]> = [
    [/\bEdg(e|A|iOS)?\//, 'Edge'],
    [/\b(OPR|Opera)\//, 'Opera'],
    [/\b(Firefox|FxiOS)\//, 'Firefox'],
    [/\b(Chrome|CriOS|Chromium)\//, 'Chrome'],
    [/\bSafari\//, 'Safari'],
    [/^(curl|Wget|python-requests|Go-http-client|node-fetch|undici)\b/i, 'script'],
  ];
  return families.find(([pattern]) => pattern.test(userAgent))?.[1] ?? 'other';
}

/** The network an address belongs to: IPv4 /24, IPv6 /48 (an IPv4-mapped address counts as IPv4). */
export function networkOf(ip: string): string | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const address = mapped ? mapped[1]! : ip;
  if (net.isIPv4(address)) return `${address.split('.').slice(0, 3).join('.')}.0/24`;
  if (!net.isIPv6(address)) return null;
  const [head = '', tail = ''] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups]
    : headGroups;
  return `${groups
    .slice(0, 3)
    .map((group) => parseInt(group, 16).toString(16))
    .join(':')}::/48`;
}

const MAX_USER_AGENT = 300;
/** Waiting reads moved into the chain per statement. */
const CHAIN_BATCH = 2000;

/** An event before it has its place in the chain. */
type EventDraft = Omit<ChainedFields, 'tenantId' | 'seq' | 'prevHash'>;

function draftOf(origin: AuditOrigin, entry: AuditEntry): EventDraft {
  return {
    // Millisecond precision survives the database round trip exactly.
    occurredAt: new Date(),
    actorType: origin.actorType,
    actorId: origin.actorId,
    action: entry.action,
    objectType: entry.objectType ?? null,
    objectId: entry.objectId ?? null,
    fields: [...(entry.fields ?? [])].sort(),
    ip: auditIp(origin.ip, origin.actorType),
    userAgent: auditUserAgent(origin.userAgent, origin.actorType),
    requestId: origin.requestId ?? null,
  };
}

/** The columns an event draft fills, the same in audit_read_log and audit_events. */
function columnsOf(tenantId: string, draft: EventDraft) {
  return {
    tenant_id: tenantId,
    occurred_at: draft.occurredAt,
    actor_type: draft.actorType as AuditEventRow['actor_type'],
    actor_id: draft.actorId,
    action: draft.action,
    object_type: draft.objectType,
    object_id: draft.objectId,
    fields: draft.fields,
    ip: draft.ip,
    user_agent: draft.userAgent,
    request_id: draft.requestId,
  };
}

/** The draft a stored event or waiting read was made from. */
function draftOfRow(row: AuditReadLogRow | AuditEventRow): EventDraft {
  return {
    occurredAt: new Date(row.occurred_at),
    actorType: row.actor_type,
    actorId: row.actor_id,
    action: row.action,
    objectType: row.object_type,
    objectId: row.object_id,
    fields: row.fields,
    ip: row.ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
  };
}

interface ChainHead {
  seq: number;
  hash: string;
  exists: boolean;
}

/** Locks the tenant's chain head until the transaction ends; concurrent appenders queue here. */
async function lockChainHead(tx: Tx, tenantId: string): Promise<ChainHead> {
  const head = await tx
    .updateTable('audit_chain_heads')
    .set({ last_seq: sql`last_seq`, last_hash: sql`last_hash` })
    .where('tenant_id', '=', tenantId)
    .returning(['last_seq', 'last_hash'])
    .executeTakeFirst();
  return head ? { seq: Number(head.last_seq), hash: head.last_hash, exists: true } : { seq: 0, hash: GENESIS_HASH, exists: false };
}

/** Appends drafts after the locked head, in order, and moves the head to the last of them. */
async function appendLocked(tx: Tx, tenantId: string, head: ChainHead, drafts: EventDraft[]): Promise<ChainHead> {
  if (drafts.length === 0) return head;
  let { seq, hash } = head;
  const rows = drafts.map((draft) => {
    const event: ChainedFields = { ...draft, tenantId, seq: seq + 1, prevHash: hash };
    seq = event.seq;
    hash = eventHash(event);
    return { ...columnsOf(tenantId, draft), seq: event.seq, prev_hash: event.prevHash, hash };
  });
  for (let at = 0; at < rows.length; at += CHAIN_BATCH)
    await tx
      .insertInto('audit_events')
      .values(rows.slice(at, at + CHAIN_BATCH))
      .execute();
  if (head.exists) {
    await tx.updateTable('audit_chain_heads').set({ last_seq: seq, last_hash: hash }).where('tenant_id', '=', tenantId).execute();
  } else {
    // The primary key makes a concurrent first writer of the same tenant fail instead of forking the chain.
    await tx.insertInto('audit_chain_heads').values({ tenant_id: tenantId, last_seq: seq, last_hash: hash }).execute();
  }
  return { seq, hash, exists: true };
}

/**
 * Appends one event to the tenant's chain inside the caller's transaction, so the event exists
 * exactly when the change it records does. Locking the chain head orders concurrent writers.
 */
export async function recordAudit(tx: Tx, tenantId: string, origin: AuditOrigin, entry: AuditEntry): Promise<number> {
  const head = await appendLocked(tx, tenantId, await lockChainHead(tx, tenantId), [draftOf(origin, entry)]);
  return head.seq;
}

/**
 * Records a read of people's records without touching the chain head, so concurrent reads of a
 * workspace do not queue behind each other; chainPendingReads moves it into the chain later.
 * Only for reads: a change must be chained in its own transaction (recordAudit).
 */
export async function recordRead(tx: Tx, tenantId: string, origin: AuditOrigin, entry: AuditEntry): Promise<void> {
  await writeAtCommit(tx, tx.insertInto('audit_read_log').values(columnsOf(tenantId, draftOf(origin, entry))), { prepared: true });
}

/**
 * The audit of a read as one statement that records it only if `found` finds the record: sent
 * with the read itself, so nothing waits for the read's answer before the audit goes out.
 */
export function readAuditIfFound(tx: Tx, tenantId: string, origin: AuditOrigin, entry: AuditEntry, found: Expression<unknown>): Compilable {
  const c = columnsOf(tenantId, draftOf(origin, entry));
  // INSERT … SELECT infers no parameter types from the target columns: each is cast.
  const statement = sql`insert into audit_read_log
      (tenant_id, occurred_at, actor_type, actor_id, action, object_type, object_id, fields, ip, user_agent, request_id)
    select ${c.tenant_id}::uuid, ${c.occurred_at}::timestamptz, ${c.actor_type}, ${c.actor_id}, ${c.action}, ${c.object_type},
      ${c.object_id}, ${c.fields}::text[], ${c.ip}, ${c.user_agent}, ${c.request_id}
    where exists (${found})`;
  return { compile: () => statement.compile(tx) };
}

/**
 * Moves the tenant's waiting reads into the chain, oldest first, in the caller's transaction.
 * Anything that reads the trail calls this first, so it always sees every read. Returns how many.
 */
export async function chainPendingReads(tx: Tx, tenantId: string, limit = Number.POSITIVE_INFINITY): Promise<number> {
  const waiting = await tx.selectFrom('audit_read_log').select('id').where('tenant_id', '=', tenantId).limit(1).executeTakeFirst();
  if (!waiting) return 0;
  let head = await lockChainHead(tx, tenantId);
  let moved = 0;
  while (moved < limit) {
    const batch = Math.min(CHAIN_BATCH, limit - moved);
    const { rows } = await sql<AuditReadLogRow>`
      delete from audit_read_log where tenant_id = ${tenantId} and id in (
        select id from audit_read_log where tenant_id = ${tenantId} order by id limit ${batch})
      returning *`.execute(tx);
    rows.sort((a, b) => Number(a.id) - Number(b.id));
    head = await appendLocked(tx, tenantId, head, rows.map(draftOfRow));
    moved += rows.length;
    if (rows.length < batch) break;
  }
  return moved;
}

/** Scheduled: chains every workspace's waiting reads, one short transaction per batch. */
export async function chainAllPendingReads(db: Database): Promise<number> {
  const tenants = await db.kysely.selectFrom('tenants').select('id').execute();
  let moved = 0;
  for (const { id: tenantId } of tenants) {
    for (;;) {
      const batch = await withTenant(db, tenantId, (tx) => chainPendingReads(tx, tenantId, CHAIN_BATCH));
      moved += batch;
      if (batch < CHAIN_BATCH) break;
    }
  }
  return moved;
}

export function rowToChainedFields(row: AuditEventRow): ChainedFields {
  return { ...draftOfRow(row), tenantId: row.tenant_id, seq: Number(row.seq), prevHash: row.prev_hash };
}

export interface ChainVerification {
  tenantId: string;
  ok: boolean;
  events: number;
  /** The first event that does not match, and why. */
  brokenAt?: { seq: number; reason: string };
  /** The anchor (src/audit/anchors.ts) the chain was checked against, if there was one. */
  anchoredAt?: { seq: number; at: string };
}

const VERIFY_BATCH = 1000;

/**
 * Walks one tenant's chain from the start, recomputing every hash and link, and compares it with
 * the latest anchor kept outside the database: a chain that is consistent but shorter than its
 * anchor, or different at the anchored event, was truncated or rewritten.
 */
export async function verifyTenantChain(
  db: Database,
  tenantId: string,
  anchor?: Pick<AuditAnchor, 'seq' | 'hash' | 'at'>,
): Promise<ChainVerification> {
  await withTenant(db, tenantId, (tx) => chainPendingReads(tx, tenantId));
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  for (;;) {
    const rows = await withTenant(db, tenantId, (tx) =>
      tx
        .selectFrom('audit_events')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('seq', '>=', expectedSeq)
        .orderBy('seq')
        .limit(VERIFY_BATCH)
        .execute(),
    );
    for (const row of rows) {
      const seq = Number(row.seq);
      const broken = (at: number, reason: string): ChainVerification => ({
        tenantId,
        ok: false,
        events: expectedSeq - 1,
        brokenAt: { seq: at, reason },
      });
      if (seq !== expectedSeq) return broken(expectedSeq, `event ${expectedSeq} is missing`);
      if (row.prev_hash !== prevHash) return broken(seq, 'prev_hash does not match the previous event');
      if (eventHash(rowToChainedFields(row)) !== row.hash) return broken(seq, 'content does not match its hash (altered)');
      if (anchor && seq === anchor.seq && row.hash !== anchor.hash) {
        return {
          ...broken(seq, `event ${seq} differs from the anchor of ${anchor.at} (the chain was rewritten from here or before)`),
          anchoredAt: { seq: anchor.seq, at: anchor.at },
        };
      }
      prevHash = row.hash;
      expectedSeq++;
    }
    if (rows.length < VERIFY_BATCH) break;
  }
  const head = await withTenant(db, tenantId, (tx) =>
    tx.selectFrom('audit_chain_heads').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst(),
  );
  const events = expectedSeq - 1;
  if ((head ? Number(head.last_seq) : 0) !== events || (head && head.last_hash !== prevHash)) {
    return { tenantId, ok: false, events, brokenAt: { seq: events + 1, reason: 'chain head does not match the last event (truncated)' } };
  }
  if (!anchor) return { tenantId, ok: true, events };
  const anchoredAt = { seq: anchor.seq, at: anchor.at };
  if (events < anchor.seq) {
    return {
      tenantId,
      ok: false,
      events,
      anchoredAt,
      brokenAt: {
        seq: events + 1,
        reason: `truncated: the anchor of ${anchor.at} saw ${anchor.seq} events, the chain now ends at ${events}`,
      },
    };
  }
  return { tenantId, ok: true, events, anchoredAt };
}

export async function verifyAllChains(db: Database, anchors: Map<string, AuditAnchor> = new Map()): Promise<ChainVerification[]> {
  const tenants = await db.kysely.selectFrom('tenants').select('id').orderBy('created_at').execute();
  const results: ChainVerification[] = [];
  for (const tenant of tenants) results.push(await verifyTenantChain(db, tenant.id, anchors.get(tenant.id)));
  // A workspace with an anchor but no row any more was deleted from under the chain.
  const known = new Set(tenants.map((tenant) => tenant.id));
  for (const [tenantId, anchor] of anchors) {
    if (!known.has(tenantId))
      results.push({
        tenantId,
        ok: false,
        events: 0,
        anchoredAt: { seq: anchor.seq, at: anchor.at },
        brokenAt: { seq: 1, reason: `the workspace is gone; the anchor of ${anchor.at} saw ${anchor.seq} events` },
      });
  }
  return results;
}
