import crypto from 'node:crypto';
import * as otp from 'otplib';

const STEP_SECONDS = 30;

export function newTotpSecret(): string {
  return otp.generateSecret();
}

export function totpUri(secret: string, account: string): string {
  return otp.generateURI({ issuer: 'Lawful CRM', label: account, secret });
}

/**
 * Checks a code with one step of clock drift either way. Returns the time step it matched so
 * the caller can refuse a code that was already used (replay).
 */
export async function matchTotp(secret: string, code: string, lastUsedStep: number | null): Promise<number | null> {
  const nowStep = Math.floor(Date.now() / 1000 / STEP_SECONDS);
  for (const step of [nowStep, nowStep - 1, nowStep + 1]) {
    if (lastUsedStep !== null && step <= lastUsedStep) continue;
    const expected = await otp.generate({ secret, epoch: step * STEP_SECONDS });
    if (expected === code) return step;
  }
  return null;
}

const RECOVERY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const RECOVERY_CODE_COUNT = 10;

/** Ten codes of 16 base32 characters (80 bits) in groups of four, and what is stored of them. */
export function newRecoveryCodes(): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = [...crypto.randomBytes(16)].map((byte) => RECOVERY_ALPHABET[byte % 32]).join('');
    return chars.match(/.{4}/g)!.join('-');
  });
  return { codes, hashes: codes.map(recoveryCodeHash) };
}

/** Case, spaces and dashes do not matter when a code is typed back. */
export function recoveryCodeHash(code: string): string {
  return crypto.createHash('sha256').update(code.toUpperCase().replace(/[\s-]/g, '')).digest('hex');
}

export async function currentTotp(secret: string, offsetSteps = 0): Promise<string> {
  const step = Math.floor(Date.now() / 1000 / STEP_SECONDS) + offsetSteps;
  return otp.generate({ secret, epoch: step * STEP_SECONDS });
}
