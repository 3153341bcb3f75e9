import { sql } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { userStatement, type Tx } from '../db/tenant.ts';
import type { AuthContext } from './context.ts';
import { newSecret, sameHash, sha256 } from './secrets.ts';
import type { Role } from './roles.ts';

/** ASVS 3.3: idle timeout 30 minutes, absolute lifetime 12 hours. */
export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60_000;
/** last_seen_at is refreshed at most this often, to keep reads from writing on every request. */
const TOUCH_EVERY_MS = 60_000;

export interface NewSession {
  id: string;
  token: string;
  expiresAt: Date;
}

export async function createSession(
  tx: Tx,
  values: { userId: string; tenantId: string; mfaPending: boolean; secondFactor: boolean; ip: string | null; userAgent: string | null },
): Promise<NewSession> {
  const token = newSecret();
  const expiresAt = new Date(Date.now() + SESSION_ABSOLUTE_MS);
  const row = await tx
    .insertInto('sessions')
    .values({
      token_hash: sha256(token),
      user_id: values.userId,
      tenant_id: values.tenantId,
      mfa_pending: values.mfaPending,
      second_factor: values.secondFactor,
      ip: values.ip,
      user_agent: values.userAgent?.slice(0, 300) ?? null,
      expires_at: expiresAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, token, expiresAt };
}

interface SessionLookup {
  id: string;
  token_hash: Buffer;
  user_id: string;
  tenant_id: string;
  mfa_pending: boolean;
  last_seen_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  totp_enabled_at: Date | null;
  member_id: string;
  role: Role;
  is_dpo: boolean;
  require_admin_totp: boolean;
}

/** A live session and what its confirmation compares (app_session_confirm, migration 0023). */
export interface ResolvedSession {
  auth: AuthContext & { sessionId: string };
  facts: { mfaPending: boolean; totpEnabled: boolean; requireAdminTotp: boolean };
}

/**
 * The session a cookie names, if it is live, with the member it acts as. One statement, one
 * round trip (app_session_lookup, migration 0023); last_seen_at is refreshed in a second one at
 * most once a minute.
 */
export async function resolveSession(app: AppContext, token: string): Promise<ResolvedSession | null> {
  if (token.length < 32 || token.length > 100) return null;
  const tokenHash = sha256(token);
  const [session] = await userStatement(app.db, null, (tx) =>
    tx.selectFrom(sql<SessionLookup>`app_session_lookup(${tokenHash})`.as('s')).selectAll(),
  );
  const now = Date.now();
  if (
    !session ||
    !sameHash(session.token_hash, tokenHash) ||
    session.revoked_at ||
    new Date(session.expires_at).getTime() <= now ||
    new Date(session.last_seen_at).getTime() + SESSION_IDLE_MS <= now
  ) {
    return null;
  }
  if (new Date(session.last_seen_at).getTime() + TOUCH_EVERY_MS <= now) {
    await userStatement(app.db, null, (tx) =>
      tx
        .updateTable('sessions')
        .set({ last_seen_at: sql`now()` })
        .where('id', '=', session.id),
    );
  }
  return {
    auth: {
      kind: 'session',
      tenantId: session.tenant_id,
      userId: session.user_id,
      memberId: session.member_id,
      role: session.role,
      isDpo: session.is_dpo,
      sessionId: session.id,
      tokenId: null,
      scopes: null,
      mfaPending: session.mfa_pending || mustEnrolTotp(session.role, session.require_admin_totp, session.totp_enabled_at),
    },
    facts: { mfaPending: session.mfa_pending, totpEnabled: session.totp_enabled_at !== null, requireAdminTotp: session.require_admin_totp },
  };
}

/** The session is over: signed out, expired, idle too long, or its member is gone (app_session_confirm). */
export const SESSION_ENDED = 'LWS01';
/** The session's member changed role, DPO flag or second factor since the node resolved it. */
export const SESSION_CHANGED = 'LWS02';

/** The call that confirms a session resolved earlier is still exactly as it was. */
export function sessionConfirmation(resolved: ResolvedSession): { fn: string; args: string[] } {
  const { auth, facts } = resolved;
  return {
    fn: 'app_session_confirm',
    args: [
      auth.sessionId,
      auth.memberId,
      auth.role,
      String(auth.isDpo),
      String(facts.mfaPending),
      String(facts.totpEnabled),
      String(facts.requireAdminTotp),
      String(SESSION_IDLE_MS / 1000),
      String(TOUCH_EVERY_MS / 1000),
    ],
  };
}

/** The workspace requires a second factor of Administrators and this one has none yet. */
export function mustEnrolTotp(role: Role, requireAdminTotp: boolean, totpEnabledAt: Date | null): boolean {
  return role === 'administrator' && requireAdminTotp && !totpEnabledAt;
}

export async function revokeSession(tx: Tx, userId: string, sessionId: string): Promise<boolean> {
  const result = await tx
    .updateTable('sessions')
    .set({ revoked_at: sql`now()` })
    .where('id', '=', sessionId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** CSRF token bound to one session: an HMAC under the installation key, nothing stored. */
export function csrfTokenFor(app: AppContext, sessionId: string): string {
  return app.keys.systemHmac('csrf', sessionId);
}
