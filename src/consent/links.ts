import crypto from 'node:crypto';
import type { KeyService } from '../crypto/keys.ts';

/**
 * Signed, self-contained tokens for links in emails and on public pages (double opt-in
 * confirmation, unsubscribe, preference centre, re-permission, known visitor). The signature is
 * an HMAC under the installation's system key, so any app node can check a link without a
 * lookup; single use, where needed, is enforced by the state the link changes.
 */
export type LinkKind = 'confirm' | 'unsubscribe' | 'preferences' | 'repermission' | 'visitor';

interface LinkBody {
  k: LinkKind;
  /** Values the link is bound to (workspace id first). */
  v: string[];
  /** Expiry, seconds since the epoch; absent for links that do not expire. */
  e?: number;
}

export function signLink(keys: KeyService, kind: LinkKind, values: string[], expiresAt?: Date): string {
  const body: LinkBody = { k: kind, v: values, ...(expiresAt ? { e: Math.floor(expiresAt.getTime() / 1000) } : {}) };
  const encoded = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${encoded}.${keys.systemHmac(`link:${kind}`, encoded)}`;
}

export type LinkCheck = { ok: true; values: string[] } | { ok: false; reason: 'invalid' | 'expired' };

export function verifyLink(keys: KeyService, kind: LinkKind, token: string, arity: number): LinkCheck {
  const [encoded, signature, ...rest] = token.split('.');
  if (!encoded || !signature || rest.length > 0) return { ok: false, reason: 'invalid' };
  const expected = Buffer.from(keys.systemHmac(`link:${kind}`, encoded));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return { ok: false, reason: 'invalid' };
  let body: LinkBody;
  try {
    body = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as LinkBody;
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  if (body.k !== kind || !Array.isArray(body.v) || body.v.length !== arity || !body.v.every((value) => typeof value === 'string')) return { ok: false, reason: 'invalid' };
  if (body.e !== undefined && body.e * 1000 < Date.now()) return { ok: false, reason: 'expired' };
  return { ok: true, values: body.v };
}
