import crypto from 'node:crypto';
import type { KeyService } from '../crypto/keys.ts';

/**
 * Signed, self-contained tokens for links in emails and on public pages (double opt-in
 * confirmation, unsubscribe, preference centre, re-permission, known visitor). The signature is
 * an HMAC under the installation's system key, so any app node can check a link without a
 * lookup; single use, where needed, is enforced by the state the link changes.
 */
export type LinkKind = 'confirm' | 'unsubscribe' | 'preferences' | 'repermission' | 'visitor' | 'portal' | 'portal_session';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Compact binary body: expiry (4 bytes, 0 = none), then each value as a UUID (16 bytes) or short text. */
function encode(values: string[], expiresAt?: Date): string {
  const parts: Buffer[] = [];
  const expiry = Buffer.alloc(4);
  expiry.writeUInt32BE(expiresAt ? Math.floor(expiresAt.getTime() / 1000) : 0);
  parts.push(expiry);
  for (const value of values) {
    if (UUID.test(value)) {
      parts.push(Buffer.from([1]), Buffer.from(value.replaceAll('-', ''), 'hex'));
    } else {
      const text = Buffer.from(value, 'utf8');
      if (text.length > 255) throw new Error('link value too long');
      parts.push(Buffer.from([2, text.length]), text);
    }
  }
  return Buffer.concat(parts).toString('base64url');
}

function decode(encoded: string): { values: string[]; expiresAt: number } | null {
  const bytes = Buffer.from(encoded, 'base64url');
  if (bytes.length < 4) return null;
  const values: string[] = [];
  let at = 4;
  while (at < bytes.length) {
    const tag = bytes[at];
    if (tag === 1 && at + 17 <= bytes.length) {
      const hex = bytes.subarray(at + 1, at + 17).toString('hex');
      values.push(`${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`);
      at += 17;
    } else if (tag === 2 && at + 2 <= bytes.length && at + 2 + bytes[at + 1]! <= bytes.length) {
      values.push(bytes.subarray(at + 2, at + 2 + bytes[at + 1]!).toString('utf8'));
      at += 2 + bytes[at + 1]!;
    } else {
      return null;
    }
  }
  return { values, expiresAt: bytes.readUInt32BE(0) };
}

/** 128 bits of HMAC-SHA-256: ample against forgery, and keeps links short. */
function signature(keys: KeyService, kind: LinkKind, encoded: string): string {
  return keys.systemHmac(`link:${kind}`, encoded).slice(0, 22);
}

export function signLink(keys: KeyService, kind: LinkKind, values: string[], expiresAt?: Date): string {
  const encoded = encode(values, expiresAt);
  return `${encoded}.${signature(keys, kind, encoded)}`;
}

/** expiresAt: seconds since the epoch, 0 for a link signed without an expiry. */
export type LinkCheck = { ok: true; values: string[]; expiresAt: number } | { ok: false; reason: 'invalid' | 'expired' };

export function verifyLink(keys: KeyService, kind: LinkKind, token: string, arity: number): LinkCheck {
  const [encoded, given, ...rest] = token.split('.');
  if (!encoded || !given || rest.length > 0) return { ok: false, reason: 'invalid' };
  const expected = Buffer.from(signature(keys, kind, encoded));
  const actual = Buffer.from(given);
  if (expected.length !== actual.length || !crypto.timingSafeEqual(expected, actual)) return { ok: false, reason: 'invalid' };
  const body = decode(encoded);
  if (!body || body.values.length !== arity) return { ok: false, reason: 'invalid' };
  if (body.expiresAt !== 0 && body.expiresAt * 1000 < Date.now()) return { ok: false, reason: 'expired' };
  return { ok: true, values: body.values, expiresAt: body.expiresAt };
}
