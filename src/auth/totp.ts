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

export async function currentTotp(secret: string, offsetSteps = 0): Promise<string> {
  const step = Math.floor(Date.now() / 1000 / STEP_SECONDS) + offsetSteps;
  return otp.generate({ secret, epoch: step * STEP_SECONDS });
}
