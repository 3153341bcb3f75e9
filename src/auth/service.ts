import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { recordAudit, type AuditOrigin } from '../audit/service.ts';
import { enterTenant, withTenant, withUser } from '../db/tenant.ts';
import { AppError, conflict, forbidden, isUniqueViolation, notFound, unauthorized } from '../http/errors.ts';
import { asCaller, type AuthContext, type Caller } from './context.ts';
import { provePassword } from './password-proof.ts';
import { checkPasswordPolicy, hashPassword } from './passwords.ts';
import { sha256 } from './secrets.ts';
import { withinPublicLimit } from '../http/public-limits.ts';
import { ACTIONS, memberAllows } from './permissions.ts';
import type { Role } from './roles.ts';
import type { changePasswordBody, loginBody, SessionInfo, signupBody } from './schema.ts';
import { createSession, csrfTokenFor, mustEnrolTotp, revokeSession, SESSION_IDLE_MS, type NewSession } from './sessions.ts';
import { matchTotp, newRecoveryCodes, newTotpSecret, totpUri } from './totp.ts';

export interface ClientInfo {
  ip: string;
  userAgent: string | null;
  requestId: string;
  /** ISO 3166 code from a trusted proxy, when configured (src/config.ts countryHeader). */
  country?: string | null;
}

const memberOrigin = (memberId: string, client: ClientInfo): AuditOrigin => ({
  actorType: 'member',
  actorId: memberId,
  ip: client.ip,
  userAgent: client.userAgent,
  requestId: client.requestId,
});

export interface SignedIn {
  session: NewSession;
  info: SessionInfo;
}

/** A sign-up link works for a day. */
export const SIGNUP_LINK_HOURS = 24;
/** However often someone signs up with an address, it gets a few e-mails a day at most. */
const SIGNUP_MAILS_PER_ADDRESS = { max: 3, windowSeconds: 86_400 };

/** What a sign-up link carries, sealed under the installation key: nothing is stored until it is followed. */
interface PendingSignUp {
  workspaceName: string;
  workspaceSlug: string;
  name: string;
  email: string;
  passwordHash: string;
  expiresAt: number;
}

/**
 * Step 1 of sign-up: the answer is the same whether or not the address has an account, and so
 * is the work (one Argon2 hash, one e-mail). A new address gets a link that creates the
 * workspace; a known one is told it already has an account. Nothing is created until the owner
 * of the mailbox follows the link, so no one can hold a workspace in another person's name.
 */
export async function requestSignUp(app: AppContext, body: z.infer<typeof signupBody>): Promise<void> {
  if (!app.config.allowSignup)
    throw forbidden('Sign-up is disabled on this server; ask an administrator for an invitation.', 'signup_disabled');
  checkPasswordPolicy(body.password, { email: body.email, name: body.name });
  if (await slugTaken(app, body.workspaceSlug))
    throw conflict('This workspace address is taken; choose another.', { field: 'workspaceSlug' });
  const passwordHash = await hashPassword(body.password);
  const pending: PendingSignUp = { ...body, passwordHash, expiresAt: Date.now() + SIGNUP_LINK_HOURS * 3_600_000 };
  const { known, token } = await withUser(app.db, null, async (tx) => ({
    known: Boolean(
      await tx
        .selectFrom('users')
        .select('id')
        .where(sql`lower(email)`, '=', body.email)
        .executeTakeFirst(),
    ),
    token: await app.keys.sealWithSystemKey(tx, 'signup', JSON.stringify(pending)),
  }));
  if (!(await withinPublicLimit(app.db, { key: `signup-mail:${sha256(body.email).toString('hex')}`, ...SIGNUP_MAILS_PER_ADDRESS }))) return;
  await app.mailer.send(
    known
      ? {
          to: body.email,
          subject: 'Your Lawful CRM account',
          text:
            `Someone asked to create the workspace "${body.workspaceName}" on Lawful CRM with this address, which already has an account.\n\n` +
            `Sign in at ${app.config.publicUrl}/ instead; an Administrator of a workspace can invite you to it.\n\n` +
            'If it was not you, you can ignore this e-mail: nothing was created and your account is unchanged.\n',
        }
      : {
          to: body.email,
          subject: `Confirm your new workspace "${body.workspaceName}" on Lawful CRM`,
          text:
            `Follow this link within ${SIGNUP_LINK_HOURS} hours to create the workspace "${body.workspaceName}" and your account:\n` +
            `${app.config.publicUrl}/confirm-signup#${token}\n\n` +
            'If you did not ask for this, ignore this e-mail: nothing is created until the link is followed.\n',
        },
  );
}

async function slugTaken(app: AppContext, slug: string): Promise<boolean> {
  const { rows } = await withUser(app.db, null, (tx) => sql<{ id: string | null }>`select workspace_id_by_slug(${slug}) as id`.execute(tx));
  return Boolean(rows[0]?.id);
}

/** Step 2: the link from the e-mail creates the workspace and signs its first Administrator in. */
export async function confirmSignUp(app: AppContext, token: string, client: ClientInfo): Promise<SignedIn> {
  const invalid = new AppError(404, 'invalid_signup_link', 'This sign-up link is invalid, expired or already used; sign up again.');
  const pending = await withUser(app.db, null, (tx) => app.keys.openWithSystemKey(tx, 'signup', token)).then(
    (json) => JSON.parse(json) as PendingSignUp,
    () => null,
  );
  if (!pending || pending.expiresAt < Date.now()) throw invalid;
  try {
    return await createWorkspace(app, pending, client);
  } catch (error) {
    if (isUniqueViolation(error, 'users_email_key')) throw invalid;
    throw error;
  }
}

/** Creates a workspace with its keys and its first Administrator, and signs that person in. */
export async function createWorkspace(
  app: AppContext,
  body: { workspaceName: string; workspaceSlug: string; name: string; email: string; passwordHash: string },
  client: ClientInfo,
): Promise<SignedIn> {
  try {
    const { session, tenantId } = await withUser(app.db, null, async (tx) => {
      const user = await tx
        .insertInto('users')
        .values({ email: body.email, name: body.name, password_hash: body.passwordHash })
        .returning('id')
        .executeTakeFirstOrThrow();
      const tenantId = crypto.randomUUID();
      await enterTenant(tx, tenantId);
      await tx.insertInto('tenants').values({ id: tenantId, slug: body.workspaceSlug, name: body.workspaceName }).execute();
      await app.keys.createTenantKeys(tx, tenantId);
      const member = await tx
        .insertInto('members')
        .values({ tenant_id: tenantId, user_id: user.id, role: 'administrator' })
        .returning('id')
        .executeTakeFirstOrThrow();
      await recordAudit(tx, tenantId, memberOrigin(member.id, client), {
        action: 'workspace.create',
        objectType: 'workspace',
        objectId: tenantId,
      });
      const session = await createSession(tx, {
        userId: user.id,
        tenantId,
        mfaPending: false,
        secondFactor: false,
        ip: client.ip,
        userAgent: client.userAgent,
      });
      return { session, tenantId };
    });
    return { session, info: await sessionInfo(app, session.id, tenantId) };
  } catch (error) {
    if (isUniqueViolation(error, 'tenants_slug_key'))
      throw conflict('This workspace address is taken; choose another.', { field: 'workspaceSlug' });
    throw error;
  }
}

/**
 * Password (+ TOTP when enabled) sign-in, proved by provePassword: unknown emails cost the same
 * time and get the same answer; failures count per account and per address; past the limit, 429.
 */
export async function logIn(app: AppContext, body: z.infer<typeof loginBody>, client: ClientInfo): Promise<SignedIn> {
  const proof = await provePassword(app, { email: body.email }, body.password, {
    ip: client.ip,
    totp: body.totp,
    recoveryCode: body.recoveryCode,
    purpose: 'sign_in',
    onFailure: async (userId) => {
      const membership = userId ? await chooseMembership(app, userId, body.workspace) : undefined;
      if (!membership) return;
      await withTenant(app.db, membership.tenantId, (tx) =>
        recordAudit(tx, membership.tenantId, memberOrigin(membership.memberId, client), {
          action: 'auth.login_failed',
          objectType: 'member',
          objectId: membership.memberId,
        }),
      );
    },
  });
  const membership = await chooseMembership(app, proof.userId, body.workspace);
  if (!membership) {
    throw unauthorized(
      'no_workspace',
      body.workspace ? 'You are not a member of this workspace.' : 'Your account has no active workspace.',
    );
  }
  const user = await withUser(app.db, proof.userId, (tx) =>
    tx.selectFrom('users').select('totp_enabled_at').where('id', '=', proof.userId).executeTakeFirstOrThrow(),
  );
  const mfaPending = mustEnrolTotp(membership.role as Role, membership.require_admin_totp, user.totp_enabled_at);
  const session = await withUser(app.db, null, async (tx) => {
    const created = await createSession(tx, {
      userId: proof.userId,
      tenantId: membership.tenantId,
      mfaPending,
      secondFactor: proof.secondFactor,
      ip: client.ip,
      userAgent: client.userAgent,
    });
    await enterTenant(tx, membership.tenantId);
    await recordAudit(tx, membership.tenantId, memberOrigin(membership.memberId, client), {
      action: 'auth.login',
      objectType: 'session',
      objectId: created.id,
      fields: [
        ...(proof.usedRecoveryCode ? ['password', 'recovery_code'] : proof.secondFactor ? ['password', 'totp'] : ['password']),
        ...(client.country ? [`country:${client.country}`] : []),
      ],
    });
    return created;
  });
  return { session, info: await sessionInfo(app, session.id, membership.tenantId) };
}

/** The workspace a sign-in opens: the one named, or the most recently joined. */
async function chooseMembership(app: AppContext, userId: string, workspace: string | undefined) {
  const memberships = await withUser(app.db, userId, (tx) =>
    tx
      .selectFrom('members')
      .innerJoin('tenants', 'tenants.id', 'members.tenant_id')
      .select(['members.id as memberId', 'members.role', 'tenants.id as tenantId', 'tenants.slug', 'tenants.require_admin_totp'])
      .where('members.user_id', '=', userId)
      .where('members.status', '=', 'active')
      .orderBy('members.created_at', 'desc')
      .execute(),
  );
  return workspace ? memberships.find((m) => m.slug === workspace) : memberships[0];
}

export async function sessionInfo(app: AppContext, sessionId: string, tenantId: string): Promise<SessionInfo> {
  const info = await withTenant(app.db, tenantId, async (tx) => {
    const row = await tx
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .innerJoin('members', (join) => join.onRef('members.user_id', '=', 'users.id').on('members.tenant_id', '=', tenantId))
      .innerJoin('tenants', 'tenants.id', 'members.tenant_id')
      .select([
        'users.id as userId',
        'users.email',
        'users.name',
        'users.totp_enabled_at',
        'members.id as memberId',
        'members.role',
        'members.is_dpo',
        'tenants.slug',
        'tenants.name as workspaceName',
        'tenants.require_admin_totp',
        'sessions.mfa_pending',
      ])
      .where('sessions.id', '=', sessionId)
      .executeTakeFirstOrThrow();
    const csrfToken = csrfTokenFor(app, sessionId);
    const role = row.role as Role;
    return {
      user: { id: row.userId, email: row.email, name: row.name, totpEnabled: Boolean(row.totp_enabled_at) },
      workspace: { id: tenantId, slug: row.slug, name: row.workspaceName },
      member: { id: row.memberId, role, isDpo: row.is_dpo },
      csrfToken,
      mfaEnrollmentRequired: row.mfa_pending || mustEnrolTotp(role, row.require_admin_totp, row.totp_enabled_at),
      permissions: ACTIONS.filter((action) => memberAllows({ role, isDpo: row.is_dpo }, action)),
    };
  });
  return { ...info, workspaces: await listOwnWorkspaces(app, info.user.id) };
}

/** The workspaces a user belongs to, through the policy that shows a user their own memberships. */
function listOwnWorkspaces(app: AppContext, userId: string) {
  return withUser(app.db, userId, (tx) =>
    tx
      .selectFrom('members')
      .innerJoin('tenants', 'tenants.id', 'members.tenant_id')
      .select(['tenants.id', 'tenants.slug', 'tenants.name'])
      .where('members.user_id', '=', userId)
      .where('members.status', '=', 'active')
      .orderBy('tenants.name')
      .execute(),
  );
}

export async function logOut(app: AppContext, caller: Caller): Promise<void> {
  await asCaller(app, caller, async (tx, audit) => {
    if (caller.auth.sessionId) await revokeSession(tx, caller.auth.userId, caller.auth.sessionId);
    await audit({ action: 'auth.logout', objectType: 'session', objectId: caller.auth.sessionId });
  });
}

/** Moves the current session to another workspace of the same user (workspace switcher). */
export async function switchWorkspace(app: AppContext, caller: Caller, slug: string, client: ClientInfo): Promise<SignedIn> {
  const target = await withUser(app.db, caller.auth.userId, (tx) =>
    tx
      .selectFrom('members')
      .innerJoin('tenants', 'tenants.id', 'members.tenant_id')
      .select(['members.id as memberId', 'members.role', 'tenants.id as tenantId', 'tenants.require_admin_totp'])
      .where('members.user_id', '=', caller.auth.userId)
      .where('members.status', '=', 'active')
      .where('tenants.slug', '=', slug)
      .executeTakeFirst(),
  );
  if (!target) throw notFound('Workspace');
  // A new session id on every change of privilege (ASVS 3.2.1).
  const session = await withUser(app.db, caller.auth.userId, async (tx) => {
    const totp = await tx.selectFrom('users').select('totp_enabled_at').where('id', '=', caller.auth.userId).executeTakeFirstOrThrow();
    const current = await tx
      .selectFrom('sessions')
      .select('second_factor')
      .where('id', '=', caller.auth.sessionId!)
      .executeTakeFirstOrThrow();
    if (totp.totp_enabled_at && !current.second_factor) {
      throw new AppError(403, 'second_factor_required', 'Sign in again with your authentication code to open another workspace.');
    }
    if (caller.auth.sessionId) await revokeSession(tx, caller.auth.userId, caller.auth.sessionId);
    const created = await createSession(tx, {
      userId: caller.auth.userId,
      tenantId: target.tenantId,
      secondFactor: current.second_factor,
      mfaPending: mustEnrolTotp(target.role as Role, target.require_admin_totp, totp.totp_enabled_at),
      ip: client.ip,
      userAgent: client.userAgent,
    });
    await enterTenant(tx, target.tenantId);
    await recordAudit(tx, target.tenantId, memberOrigin(target.memberId, client), {
      action: 'auth.switch_workspace',
      objectType: 'session',
      objectId: created.id,
    });
    return created;
  });
  return { session, info: await sessionInfo(app, session.id, target.tenantId) };
}

export async function listSessions(app: AppContext, auth: AuthContext) {
  const rows = await withUser(app.db, auth.userId, (tx) =>
    tx
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', auth.userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', new Date())
      .where('last_seen_at', '>', new Date(Date.now() - SESSION_IDLE_MS))
      .orderBy('created_at', 'desc')
      .execute(),
  );
  return rows.map((row) => ({
    id: row.id,
    current: row.id === auth.sessionId,
    workspaceId: row.tenant_id,
    ip: row.ip,
    userAgent: row.user_agent,
    createdAt: new Date(row.created_at).toISOString(),
    lastSeenAt: new Date(row.last_seen_at).toISOString(),
    expiresAt: new Date(row.expires_at).toISOString(),
  }));
}

export async function revokeOwnSession(app: AppContext, caller: Caller, sessionId: string): Promise<void> {
  await asCaller(app, caller, async (tx, audit) => {
    if (!(await revokeSession(tx, caller.auth.userId, sessionId))) throw notFound('Session');
    await audit({ action: 'session.revoke', objectType: 'session', objectId: sessionId });
  });
}

/**
 * Proves the signed-in user's password again (provePassword: counted, locked like sign-in). The
 * second factor is asked again only of a session that did not prove it.
 */
async function reauthenticate(
  app: AppContext,
  caller: Caller,
  password: string,
  totp?: string,
  askSecondFactorAgain = false,
): Promise<void> {
  const session =
    !askSecondFactorAgain && caller.auth.sessionId
      ? await withUser(app.db, caller.auth.userId, (tx) =>
          tx.selectFrom('sessions').select('second_factor').where('id', '=', caller.auth.sessionId!).executeTakeFirst(),
        )
      : undefined;
  await provePassword(app, { userId: caller.auth.userId }, password, {
    ip: caller.origin.ip ?? 'unknown',
    totp,
    sessionHasSecondFactor: session?.second_factor ?? false,
    purpose: 'reauthenticate',
    onFailure: () =>
      asCaller(app, caller, (_tx, audit) =>
        audit({ action: 'auth.reauthentication_failed', objectType: 'member', objectId: caller.auth.memberId }),
      ),
  });
}

/** Changing the password ends every other session of the user. */
export async function changePassword(app: AppContext, caller: Caller, body: z.infer<typeof changePasswordBody>): Promise<void> {
  await reauthenticate(app, caller, body.currentPassword, body.totp);
  await asCaller(app, caller, async (tx, audit) => {
    const user = await tx.selectFrom('users').select(['email', 'name']).where('id', '=', caller.auth.userId).executeTakeFirstOrThrow();
    checkPasswordPolicy(body.newPassword, user);
    await tx
      .updateTable('users')
      .set({ password_hash: await hashPassword(body.newPassword), password_changed_at: sql`now()` })
      .where('id', '=', caller.auth.userId)
      .execute();
    let others = tx
      .updateTable('sessions')
      .set({ revoked_at: sql`now()` })
      .where('user_id', '=', caller.auth.userId)
      .where('revoked_at', 'is', null);
    if (caller.auth.sessionId) others = others.where('id', '!=', caller.auth.sessionId);
    await others.execute();
    await audit({ action: 'auth.password_change', objectType: 'member', objectId: caller.auth.memberId, fields: ['password'] });
  });
}

/** Step 1 of enrolment: a new secret, stored encrypted but not active until a code proves the app has it. */
export async function startTotpSetup(app: AppContext, caller: Caller) {
  return asCaller(app, caller, async (tx, audit) => {
    const user = await tx
      .selectFrom('users')
      .select(['email', 'totp_enabled_at'])
      .where('id', '=', caller.auth.userId)
      .executeTakeFirstOrThrow();
    if (user.totp_enabled_at) throw conflict('Two-factor authentication is already enabled.');
    const secret = newTotpSecret();
    await tx
      .updateTable('users')
      .set({ totp_secret_enc: await app.keys.sealWithSystemKey(tx, 'totp', secret) })
      .where('id', '=', caller.auth.userId)
      .execute();
    await audit({ action: 'auth.totp_setup', objectType: 'member', objectId: caller.auth.memberId, fields: ['totp_secret'] });
    return { secret, otpauthUrl: totpUri(secret, user.email) };
  });
}

export async function enableTotp(app: AppContext, caller: Caller, code: string): Promise<void> {
  await asCaller(app, caller, async (tx, audit) => {
    const user = await tx.selectFrom('users').selectAll().where('id', '=', caller.auth.userId).executeTakeFirstOrThrow();
    if (user.totp_enabled_at) throw conflict('Two-factor authentication is already enabled.');
    if (!user.totp_secret_enc) throw conflict('Start the setup first (POST /api/v1/auth/totp/setup).');
    const step = await matchTotp(await app.keys.openWithSystemKey(tx, 'totp', user.totp_secret_enc), code, null);
    if (step === null)
      throw new AppError(422, 'invalid_totp', 'The code does not match; check the time on your device and try again.', { field: 'code' });
    await tx
      .updateTable('users')
      .set({ totp_enabled_at: sql`now()`, totp_last_step: step })
      .where('id', '=', user.id)
      .execute();
    if (caller.auth.sessionId)
      await tx.updateTable('sessions').set({ mfa_pending: false, second_factor: true }).where('id', '=', caller.auth.sessionId).execute();
    await audit({ action: 'auth.totp_enable', objectType: 'member', objectId: caller.auth.memberId, fields: ['totp'] });
  });
}

/**
 * A new set of recovery codes, replacing any earlier one; shown once. Only a session that proved
 * the second factor (signed in with it, or just enrolled) may make them.
 */
export async function createRecoveryCodes(app: AppContext, caller: Caller): Promise<{ codes: string[] }> {
  return asCaller(app, caller, async (tx, audit) => {
    const user = await tx.selectFrom('users').select('totp_enabled_at').where('id', '=', caller.auth.userId).executeTakeFirstOrThrow();
    if (!user.totp_enabled_at) throw conflict('Turn two-factor authentication on first: recovery codes stand in for its codes.');
    const session = caller.auth.sessionId
      ? await tx.selectFrom('sessions').select('second_factor').where('id', '=', caller.auth.sessionId).executeTakeFirst()
      : undefined;
    if (!session?.second_factor)
      throw new AppError(403, 'totp_required', 'Sign in with a code from your authenticator app before making recovery codes.');
    const { codes, hashes } = newRecoveryCodes();
    await tx.updateTable('users').set({ totp_recovery_hashes: hashes }).where('id', '=', caller.auth.userId).execute();
    await audit({ action: 'auth.recovery_codes_create', objectType: 'member', objectId: caller.auth.memberId, fields: ['recovery_codes'] });
    return { codes };
  });
}

export async function recoveryCodesRemaining(app: AppContext, caller: Caller): Promise<{ remaining: number }> {
  return asCaller(app, caller, async (tx) => {
    const user = await tx.selectFrom('users').select('totp_recovery_hashes').where('id', '=', caller.auth.userId).executeTakeFirstOrThrow();
    return { remaining: user.totp_recovery_hashes.length };
  });
}

/** Turning the second factor off needs both the password and a current code, whatever the session proved. */
export async function disableTotp(app: AppContext, caller: Caller, password: string, code: string): Promise<void> {
  await reauthenticate(app, caller, password, code, true);
  await asCaller(app, caller, async (tx, audit) => {
    const user = await tx.selectFrom('users').selectAll().where('id', '=', caller.auth.userId).executeTakeFirstOrThrow();
    if (!user.totp_enabled_at || !user.totp_secret_enc) throw conflict('Two-factor authentication is not enabled.');
    const tenant = await tx
      .selectFrom('tenants')
      .select('require_admin_totp')
      .where('id', '=', caller.auth.tenantId)
      .executeTakeFirstOrThrow();
    if (mustEnrolTotp(caller.auth.role, tenant.require_admin_totp, null)) {
      throw conflict('This workspace requires Administrators to use two-factor authentication.');
    }
    await tx
      .updateTable('users')
      .set({ totp_enabled_at: null, totp_secret_enc: null, totp_last_step: null, totp_recovery_hashes: [] })
      .where('id', '=', user.id)
      .execute();
    await audit({ action: 'auth.totp_disable', objectType: 'member', objectId: caller.auth.memberId, fields: ['totp'] });
  });
}
