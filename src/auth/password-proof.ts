import { sql } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { withUser } from '../db/tenant.ts';
import { AppError, unauthorized, type ErrorCode } from '../http/errors.ts';
import { burnPasswordCheck, verifyPassword } from './passwords.ts';
import { assertNotLocked, clearFailures, recordFailure, throttleKey } from './throttle.ts';
import { matchTotp, recoveryCodeHash } from './totp.ts';

/** Who claims to know the password: an e-mail typed at sign-in, or the signed-in user re-proving it. */
export type PasswordClaim = { email: string } | { userId: string };

export interface PasswordProof {
  userId: string;
  email: string;
  /** The second factor was checked by this proof (a TOTP code matched, or a recovery code was used up). */
  secondFactor: boolean;
  usedRecoveryCode: boolean;
}

export interface ProofOptions {
  ip: string;
  /** The TOTP code typed with the password, if any. */
  totp?: string | undefined;
  /** A recovery code in place of the TOTP code (sign-in only). */
  recoveryCode?: string | undefined;
  /**
   * The caller's session already proved the second factor (re-authentication inside a session
   * that signed in with it): the password alone is then enough.
   */
  sessionHasSecondFactor?: boolean;
  /** Sign-in answers 401 invalid_credentials; re-authentication 403 reauthentication_failed. */
  purpose: 'sign_in' | 'reauthenticate';
  /** Runs after a failure was counted, e.g. to audit it in the member's workspace. */
  onFailure?: (userId: string | null) => Promise<void>;
}

/**
 * The one place a password is proved (sign-in, password change, turning the second factor off):
 * it honours locks, counts every failure against the account and the address — for unknown
 * accounts too, so a lock tells nothing about whether an account exists — costs one Argon2
 * verification either way, and requires the second factor of an account that has one.
 * Failures are counted in their own transaction so a caller's rollback cannot undo them.
 */
export async function provePassword(
  app: AppContext,
  claim: PasswordClaim,
  password: string,
  options: ProofOptions,
): Promise<PasswordProof> {
  const user = await withUser(app.db, null, (tx) => {
    const users = tx.selectFrom('users').select(['id', 'email', 'password_hash', 'totp_enabled_at', 'totp_secret_enc', 'totp_last_step']);
    return (
      'email' in claim ? users.where(sql`lower(email)`, '=', claim.email.toLowerCase()) : users.where('id', '=', claim.userId)
    ).executeTakeFirst();
  });
  const accountKey = throttleKey('account', user?.email ?? ('email' in claim ? claim.email : claim.userId));
  const ipKey = throttleKey('ip', options.ip);
  await withUser(app.db, null, (tx) => assertNotLocked(tx, [accountKey, ipKey]));

  const fail = async (code: ErrorCode, message: string) => {
    await withUser(app.db, null, async (tx) => {
      await recordFailure(tx, 'account', accountKey);
      await recordFailure(tx, 'ip', ipKey);
    });
    await options.onFailure?.(user?.id ?? null);
    return options.purpose === 'sign_in'
      ? unauthorized(code, message)
      : new AppError(403, 'reauthentication_failed', message, { field: 'password' });
  };
  const wrongPassword = options.purpose === 'sign_in' ? 'Email or password is incorrect.' : 'The password is incorrect.';
  if (!user) {
    await burnPasswordCheck(password);
    throw await fail('invalid_credentials', wrongPassword);
  }
  if (!(await verifyPassword(user.password_hash, password))) throw await fail('invalid_credentials', wrongPassword);

  let totpStep: number | null = null;
  let usedRecoveryCode = false;
  if (user.totp_enabled_at && user.totp_secret_enc && !options.sessionHasSecondFactor && options.recoveryCode && !options.totp) {
    const hash = recoveryCodeHash(options.recoveryCode);
    // Used up in the statement that checks it: two sign-ins racing with one code cannot both pass.
    const used = await withUser(app.db, null, (tx) =>
      tx
        .updateTable('users')
        .set({ totp_recovery_hashes: sql`array_remove(totp_recovery_hashes, ${hash})` })
        .where('id', '=', user.id)
        .where(sql<boolean>`${hash} = any(totp_recovery_hashes)`)
        .returning('id')
        .executeTakeFirst(),
    );
    if (!used) throw await fail('invalid_totp', 'The recovery code is wrong or was already used.');
    usedRecoveryCode = true;
  } else if (user.totp_enabled_at && user.totp_secret_enc && !options.sessionHasSecondFactor) {
    if (!options.totp) {
      if (options.purpose === 'sign_in') throw unauthorized('totp_required', 'Enter the 6-digit code from your authenticator app.');
      throw new AppError(403, 'totp_required', 'Enter the 6-digit code from your authenticator app as well.', { field: 'totp' });
    }
    const secret = await withUser(app.db, null, (tx) => app.keys.openWithSystemKey(tx, 'totp', user.totp_secret_enc!));
    totpStep = await matchTotp(secret, options.totp, user.totp_last_step === null ? null : Number(user.totp_last_step));
    if (totpStep === null) throw await fail('invalid_totp', 'The authentication code is wrong or was already used.');
  }

  await withUser(app.db, null, async (tx) => {
    await clearFailures(tx, accountKey);
    if (totpStep !== null) await tx.updateTable('users').set({ totp_last_step: totpStep }).where('id', '=', user.id).execute();
  });
  return { userId: user.id, email: user.email, secondFactor: totpStep !== null || usedRecoveryCode, usedRecoveryCode };
}
