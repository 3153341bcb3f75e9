import { sql } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { enterTenant, withUser, type Tx } from '../db/tenant.ts';
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
  values: { userId: string; tenantId: string; mfaPending: boolean; ip: string | null; userAgent: string | null },
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
      ip: values.ip,
      user_agent: values.userAgent?.slice(0, 300) ?? null,
      expires_at: expiresAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, token, expiresAt };
}

/** The session a cookie names, if it is live, with the member it acts as. */
export async function resolveSession(app: AppContext, token: string): Promise<AuthContext | null> {
  if (token.length < 32 || token.length > 100) return null;
  return withUser(app.db, null, async (tx) => {
    const session = await tx
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select([
        'sessions.id',
        'sessions.token_hash',
        'sessions.user_id',
        'sessions.tenant_id',
        'sessions.mfa_pending',
        'sessions.last_seen_at',
        'sessions.expires_at',
        'sessions.revoked_at',
        'users.totp_enabled_at',
      ])
      .where('sessions.token_hash', '=', sha256(token))
      .executeTakeFirst();
    const now = Date.now();
    if (
      !session ||
      !sameHash(session.token_hash, sha256(token)) ||
      session.revoked_at ||
      new Date(session.expires_at).getTime() <= now ||
      new Date(session.last_seen_at).getTime() + SESSION_IDLE_MS <= now
    ) {
      return null;
    }
    await enterTenant(tx, session.tenant_id);
    const member = await tx
      .selectFrom('members')
      .innerJoin('tenants', 'tenants.id', 'members.tenant_id')
      .select(['members.id', 'members.role', 'members.is_dpo', 'tenants.require_admin_totp'])
      .where('members.tenant_id', '=', session.tenant_id)
      .where('members.user_id', '=', session.user_id)
      .where('members.status', '=', 'active')
      .executeTakeFirst();
    if (!member) return null;
    if (new Date(session.last_seen_at).getTime() + TOUCH_EVERY_MS <= now) {
      await tx.updateTable('sessions').set({ last_seen_at: sql`now()` }).where('id', '=', session.id).execute();
    }
    return {
      kind: 'session',
      tenantId: session.tenant_id,
      userId: session.user_id,
      memberId: member.id,
      role: member.role as Role,
      isDpo: member.is_dpo,
      sessionId: session.id,
      tokenId: null,
      scopes: null,
      mfaPending: session.mfa_pending || mustEnrolTotp(member.role as Role, member.require_admin_totp, session.totp_enabled_at),
    };
  });
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
