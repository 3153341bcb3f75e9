import { Algorithm, hash, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';
import { unprocessable } from '../http/errors.ts';

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

// OWASP's recommended Argon2id setting (19 MiB, 2 passes, 1 lane).
const ARGON2 = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** Passwords seen in breaches (the 49k most common ones), checked locally: no request leaves the machine. */
const BREACHED = new Set((dictionary['passwords-common'] as string[]).map((password) => password.toLowerCase()));

/**
 * NIST 800-63B / ASVS: length is what counts, no composition rules; refuse known-breached
 * passwords and ones built from the person's own email.
 */
export function checkPasswordPolicy(password: string, email?: string): void {
  const problems: string[] = [];
  if ([...password].length < PASSWORD_MIN) problems.push(`must be at least ${PASSWORD_MIN} characters`);
  if (password.length > PASSWORD_MAX) problems.push(`must be at most ${PASSWORD_MAX} characters`);
  const lower = password.toLowerCase();
  if (BREACHED.has(lower)) problems.push('appears in lists of breached passwords');
  const local = email?.split('@')[0]?.toLowerCase();
  if (local && local.length >= 4 && lower.includes(local)) problems.push('must not contain your email address');
  if (problems.length > 0) {
    throw unprocessable(`Password ${problems.join('; ')}`, { field: 'password', problems });
  }
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** Verifying against this when the email is unknown keeps the response time the same. */
let dummyHash: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword('an unused password for timing equalisation');
  await verifyPassword(await dummyHash, password);
}
