import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import type { Database } from '../db/connection.ts';
import { withTenant } from '../db/tenant.ts';
import { openBackupStore, type BackupStore } from '../backup/store.ts';

/**
 * Anchors of the audit chains outside the database. The chain (migration 0004) shows any edit,
 * insertion or gap, but not a rewind: someone who can write the database can delete the last
 * events and set audit_chain_heads back, and the shorter chain is consistent. So the head of
 * every workspace's chain (seq, hash, time) is signed with an Ed25519 key that lives beside the
 * master keys, never in the database, and written where the database cannot reach: appended to
 * the anchor file of the node, and next to every backup. `lawful audit verify` compares each
 * chain with its latest anchor: a chain shorter than its anchor was truncated, a different hash
 * at the anchored event was rewritten.
 */

export interface AuditAnchor {
  tenantId: string;
  seq: number;
  hash: string;
  at: string;
  /** Ed25519 over anchorMessage(), base64. */
  sig: string;
}

/** What an anchor of a backup is called in the backup's location. */
export const ANCHORS_SUFFIX = '.audit-anchors.json';

const anchorMessage = (a: Omit<AuditAnchor, 'sig'>) => `lawful-audit-anchor/1\n${a.tenantId}\n${a.seq}\n${a.hash}\n${a.at}`;

type AnchorConfig = Pick<Config, 'auditAnchorFile' | 'auditAnchorKeyFile' | 'backupDir'>;

/** The signing key, created (mode 0600) the first time a node anchors. */
function signingKey(config: AnchorConfig): crypto.KeyObject {
  try {
    return crypto.createPrivateKey(fs.readFileSync(config.auditAnchorKeyFile));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { privateKey } = crypto.generateKeyPairSync('ed25519');
  fs.mkdirSync(path.dirname(config.auditAnchorKeyFile), { recursive: true });
  try {
    // 'wx': a node that lost the race to create it reads the winner's key.
    fs.writeFileSync(config.auditAnchorKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return crypto.createPrivateKey(fs.readFileSync(config.auditAnchorKeyFile));
}

/** The heads of every workspace's chain, signed now. */
export async function takeAnchors(db: Database, config: AnchorConfig, now = new Date()): Promise<AuditAnchor[]> {
  const key = signingKey(config);
  const tenants = await db.kysely.selectFrom('tenants').select('id').orderBy('created_at').execute();
  const anchors: AuditAnchor[] = [];
  for (const { id } of tenants) {
    const head = await withTenant(db, id, (tx) =>
      tx.selectFrom('audit_chain_heads').select(['last_seq', 'last_hash']).where('tenant_id', '=', id).executeTakeFirst(),
    );
    if (!head) continue;
    const anchor = { tenantId: id, seq: Number(head.last_seq), hash: head.last_hash, at: now.toISOString() };
    anchors.push({ ...anchor, sig: crypto.sign(null, Buffer.from(anchorMessage(anchor)), key).toString('base64') });
  }
  return anchors;
}

/** Per anchor file, the head last appended for each workspace: an unchanged chain is not appended again. */
const appended = new Map<string, Map<string, string>>();

/**
 * Anchors every chain: appended to the node's anchor file (the heads that moved since this
 * process last wrote it) and, for a backup, all of them written beside it. Returns the anchors.
 */
export async function anchorAuditChains(
  db: Database,
  config: AnchorConfig,
  options: { backup?: { location: string | BackupStore; id: string }; now?: Date } = {},
): Promise<AuditAnchor[]> {
  const anchors = await takeAnchors(db, config, options.now);
  const written = appended.get(config.auditAnchorFile) ?? appended.set(config.auditAnchorFile, new Map()).get(config.auditAnchorFile)!;
  const moved = anchors.filter((anchor) => written.get(anchor.tenantId) !== `${anchor.seq}:${anchor.hash}`);
  if (moved.length > 0) {
    fs.mkdirSync(path.dirname(config.auditAnchorFile), { recursive: true });
    fs.appendFileSync(config.auditAnchorFile, moved.map((anchor) => JSON.stringify(anchor) + '\n').join(''), { mode: 0o600 });
    for (const anchor of moved) written.set(anchor.tenantId, `${anchor.seq}:${anchor.hash}`);
  }
  if (options.backup)
    await openBackupStore(options.backup.location).writeText(`${options.backup.id}${ANCHORS_SUFFIX}`, JSON.stringify(anchors, null, 2));
  return anchors;
}

/** Where a node finds anchors by default: its anchor file and the backup location. */
export function defaultAnchorSources(config: AnchorConfig): AnchorSources {
  const backups = config.backupDir.startsWith('s3://') || fs.existsSync(config.backupDir);
  return { file: config.auditAnchorFile, ...(backups ? { backupLocation: config.backupDir } : {}) };
}

export interface AnchorSources {
  /** The node's anchor file (JSON lines). */
  file?: string;
  /** A backup location: the anchors of its newest backup are read. */
  backupLocation?: string | BackupStore;
}

/**
 * The latest anchor of each workspace among the sources, checked against the signing key. An
 * anchor whose signature does not verify is reported, never used: whoever forged it may be
 * covering a truncation.
 */
export async function latestAnchors(
  config: AnchorConfig,
  sources: AnchorSources,
): Promise<{ anchors: Map<string, AuditAnchor>; forged: AuditAnchor[] }> {
  const found: AuditAnchor[] = [];
  if (sources.file && fs.existsSync(sources.file)) {
    for (const line of fs.readFileSync(sources.file, 'utf8').split('\n')) if (line.trim()) found.push(JSON.parse(line) as AuditAnchor);
  }
  if (sources.backupLocation) {
    const store = openBackupStore(sources.backupLocation);
    const newest = (await store.list())
      .filter((name) => name.endsWith(ANCHORS_SUFFIX))
      .sort()
      .at(-1);
    if (newest) found.push(...(JSON.parse((await store.readText(newest)) ?? '[]') as AuditAnchor[]));
  }
  const anchors = new Map<string, AuditAnchor>();
  const forged: AuditAnchor[] = [];
  if (found.length === 0) return { anchors, forged };
  const publicKey = crypto.createPublicKey(signingKey(config));
  for (const anchor of found) {
    const { sig, ...signed } = anchor;
    if (!crypto.verify(null, Buffer.from(anchorMessage(signed)), publicKey, Buffer.from(sig, 'base64'))) {
      forged.push(anchor);
      continue;
    }
    const known = anchors.get(anchor.tenantId);
    if (!known || anchor.seq > known.seq || (anchor.seq === known.seq && anchor.at > known.at)) anchors.set(anchor.tenantId, anchor);
  }
  return { anchors, forged };
}
