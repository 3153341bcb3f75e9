import crypto from 'node:crypto';

/** The hash every tenant's chain starts from. */
export const GENESIS_HASH = '0'.repeat(64);

export interface ChainedFields {
  tenantId: string;
  seq: number;
  occurredAt: Date;
  actorType: string;
  actorId: string | null;
  action: string;
  objectType: string | null;
  objectId: string | null;
  fields: string[];
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  prevHash: string;
}

/**
 * Canonical encoding: a JSON array in a fixed order, so the same event always hashes the same
 * whatever the database driver returns (key order, Date precision is milliseconds both ways).
 */
export function canonicalEncoding(event: ChainedFields): string {
  return JSON.stringify([
    1,
    event.tenantId,
    event.seq,
    event.occurredAt.toISOString(),
    event.actorType,
    event.actorId,
    event.action,
    event.objectType,
    event.objectId,
    event.fields,
    event.ip,
    event.userAgent,
    event.requestId,
    event.prevHash,
  ]);
}

export function eventHash(event: ChainedFields): string {
  return crypto.createHash('sha256').update(canonicalEncoding(event)).digest('hex');
}
