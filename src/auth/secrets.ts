import crypto from 'node:crypto';

/** 256 bits of randomness, URL-safe. */
export function newSecret(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function sha256(value: string): Buffer {
  return crypto.createHash('sha256').update(value).digest();
}

export function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/**
 * Tokens that name their own tenant and row, `<prefix>.<tenantId>.<rowId>.<secret>`, so the row
 * is found through a tenant transaction and only the secret's hash is stored.
 */
export function composeToken(prefix: string, tenantId: string, rowId: string, secret: string): string {
  return `${prefix}.${tenantId}.${rowId}.${secret}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function parseToken(prefix: string, token: string): { tenantId: string; rowId: string; secret: string } | null {
  const parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== prefix) return null;
  const [, tenantId, rowId, secret] = parts as [string, string, string, string];
  if (!UUID.test(tenantId) || !UUID.test(rowId) || secret.length < 32) return null;
  return { tenantId, rowId, secret };
}
