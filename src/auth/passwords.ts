import { Algorithm, hash, verify } from '@node-rs/argon2';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as zxcvbnCommon from '@zxcvbn-ts/language-common';
import * as zxcvbnEn from '@zxcvbn-ts/language-en';
import { unprocessable } from '../http/errors.ts';

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

// OWASP's recommended Argon2id setting (19 MiB, 2 passes, 1 lane).
const ARGON2 = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/**
 * zxcvbn-ts scores what an attacker's guesser would try first: breached passwords, common words,
 * names, keyboard walks, dates, repeats, l33t — with the person's own name and e-mail and the
 * product's name as extra dictionary words. Built once; matching is local, nothing leaves the machine.
 */
const strength = new ZxcvbnFactory({
  dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEn.dictionary },
  graphs: zxcvbnCommon.adjacencyGraphs,
  translations: zxcvbnEn.translations,
});

/**
 * 4 of 4, "very unguessable" (10^10 guesses and more). Score 3 starts at 10^8, which lets
 * season-year patterns through ("Summer2024!!" is exactly 10^8): an account that opens
 * personal data of thousands of people asks for the top score.
 */
export const MIN_PASSWORD_SCORE = 4;
const PRODUCT_WORDS = ['lawful', 'lawfulcrm', 'lawful crm', 'crm'];

/**
 * NIST 800-63B / ASVS 2.1: length counts, no composition rules, and guessable passwords are
 * refused — scored by zxcvbn-ts rather than looked up in a list, so "Summer2024!!" and
 * "P@ssw0rd2024" fail as well as the exact breached strings.
 */
export function checkPasswordPolicy(password: string, person: { email?: string; name?: string } = {}): void {
  const problems: string[] = [];
  if ([...password].length < PASSWORD_MIN) problems.push(`must be at least ${PASSWORD_MIN} characters`);
  if (password.length > PASSWORD_MAX) problems.push(`must be at most ${PASSWORD_MAX} characters`);
  if (problems.length === 0) {
    const own = [person.email ?? '', ...(person.email?.split(/[@.+_-]/) ?? []), ...(person.name?.split(/\s+/) ?? []), person.name ?? '']
      .map((word) => word.toLowerCase())
      .filter((word) => word.length >= 3);
    // zxcvbn's matching grows faster than linearly with length; past 100 characters a password
    // is long enough, and scoring only its start bounds the cost of a hostile 256-character one.
    const result = strength.check(password.slice(0, 100), [...own, ...PRODUCT_WORDS]);
    const local = person.email?.split('@')[0]?.toLowerCase();
    if (local && local.length >= 4 && password.toLowerCase().includes(local)) problems.push('must not contain your email address');
    else if (result.score < MIN_PASSWORD_SCORE) {
      const hints = [result.feedback.warning, ...result.feedback.suggestions].filter((hint): hint is string => Boolean(hint));
      problems.push(`is too easy to guess${hints.length > 0 ? ` (${hints.join(' ')})` : ''}`);
    }
  }
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
