import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { recordAudit } from '../audit/service.ts';
import { asCaller, type Caller } from '../auth/context.ts';
import { checkPasswordPolicy, hashPassword } from '../auth/passwords.ts';
import { ROLE_LABELS } from '../auth/roles.ts';
import { composeToken, newSecret, parseToken, sameHash, sha256 } from '../auth/secrets.ts';
import { sessionInfo, type ClientInfo, type SignedIn } from '../auth/service.ts';
import { createSession, mustEnrolTotp, revokeSession } from '../auth/sessions.ts';
import { enterTenant, withTenant, withUser, type Tx } from '../db/tenant.ts';
import { AppError, conflict, isUniqueViolation, notFound, unprocessable } from '../http/errors.ts';
import { finishPage, pageBy } from '../http/pagination.ts';
import { syncAssignments } from '../governance/training.ts';
import type { invitationAccept, invitationCreate, memberListQuery, memberPatch, MemberView } from './schema.ts';

const INVITATION_TTL_MS = 7 * 24 * 60 * 60_000;
export const INVITATION_PREFIX = 'lci';

const iso = (value: Date | string) => new Date(value).toISOString();

function memberQuery(tx: Tx, tenantId: string) {
  return tx
    .selectFrom('members')
    .innerJoin('users', 'users.id', 'members.user_id')
    .select([
      'members.id',
      'members.user_id',
      'members.role',
      'members.is_dpo',
      'members.team',
      'members.status',
      'members.created_at',
      'users.name',
      'users.email',
      'users.totp_enabled_at',
    ])
    .where('members.tenant_id', '=', tenantId);
}

type MemberRow = Awaited<ReturnType<ReturnType<typeof memberQuery>['executeTakeFirstOrThrow']>>;

function toView(row: MemberRow): MemberView {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    email: row.email,
    role: row.role,
    isDpo: row.is_dpo,
    team: row.team,
    status: row.status,
    totpEnabled: Boolean(row.totp_enabled_at),
    createdAt: iso(row.created_at),
  };
}

export async function listMembers(
  app: AppContext,
  caller: Caller,
  query: z.infer<typeof memberListQuery> & { limit: number; cursor?: string | undefined },
) {
  const rows = await asCaller(app, caller, (tx) => {
    let q = memberQuery(tx, caller.auth.tenantId);
    if (query.status) q = q.where('members.status', '=', query.status);
    if (query.role) q = q.where('members.role', '=', query.role);
    return pageBy(q, 'members.id', { expression: sql`members.created_at`, direction: 'asc' }, query.cursor, query.limit).execute();
  });
  return finishPage(rows, query.limit, toView);
}

export async function getMember(app: AppContext, caller: Caller, id: string): Promise<MemberView> {
  const row = await asCaller(app, caller, (tx) => memberQuery(tx, caller.auth.tenantId).where('members.id', '=', id).executeTakeFirst());
  if (!row) throw notFound('Member');
  return toView(row);
}

/** A workspace always keeps at least one active Administrator. */
async function assertAnotherAdminRemains(tx: Tx, tenantId: string, memberId: string): Promise<void> {
  const others = await tx
    .selectFrom('members')
    .select(sql<number>`count(*)`.as('n'))
    .where('tenant_id', '=', tenantId)
    .where('role', '=', 'administrator')
    .where('status', '=', 'active')
    .where('id', '!=', memberId)
    .executeTakeFirstOrThrow();
  if (Number(others.n) === 0) throw conflict('The workspace must keep at least one active Administrator.');
}

export async function updateMember(app: AppContext, caller: Caller, id: string, patch: z.infer<typeof memberPatch>): Promise<MemberView> {
  return asCaller(app, caller, async (tx, audit) => {
    const current = await tx
      .selectFrom('members')
      .select(['role', 'is_dpo', 'team', 'status'])
      .where('tenant_id', '=', caller.auth.tenantId)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw notFound('Member');
    const changes: Record<string, unknown> = {};
    if (patch.role !== undefined && patch.role !== current.role) changes.role = patch.role;
    if (patch.isDpo !== undefined && patch.isDpo !== current.is_dpo) changes.is_dpo = patch.isDpo;
    if (patch.team !== undefined && patch.team !== current.team) changes.team = patch.team;
    if (current.role === 'administrator' && changes.role) await assertAnotherAdminRemains(tx, caller.auth.tenantId, id);
    if (Object.keys(changes).length > 0) {
      await tx.updateTable('members').set(changes).where('tenant_id', '=', caller.auth.tenantId).where('id', '=', id).execute();
    }
    if (changes.role) await syncAssignments(tx, caller.auth.tenantId, id);
    const fields = Object.keys(changes).map((field) => (field === 'is_dpo' ? 'isDpo' : field));
    const isPermissionChange = 'role' in changes || 'is_dpo' in changes;
    await audit({ action: isPermissionChange ? 'member.permission_change' : 'member.update', objectType: 'member', objectId: id, fields });
    return toView(await memberQuery(tx, caller.auth.tenantId).where('members.id', '=', id).executeTakeFirstOrThrow());
  });
}

/** Deactivation keeps the member (their records and audit history refer to them) and ends their access. */
export async function deactivateMember(app: AppContext, caller: Caller, id: string): Promise<void> {
  await asCaller(app, caller, async (tx, audit) => {
    const member = await tx
      .selectFrom('members')
      .select(['role', 'status', 'user_id'])
      .where('tenant_id', '=', caller.auth.tenantId)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!member || member.status !== 'active') throw notFound('Member');
    if (member.role === 'administrator') await assertAnotherAdminRemains(tx, caller.auth.tenantId, id);
    await tx
      .updateTable('members')
      .set({ status: 'deactivated', deactivated_at: sql`now()` })
      .where('tenant_id', '=', caller.auth.tenantId)
      .where('id', '=', id)
      .execute();
    await tx
      .updateTable('sessions')
      .set({ revoked_at: sql`now()` })
      .where('user_id', '=', member.user_id)
      .where('tenant_id', '=', caller.auth.tenantId)
      .where('revoked_at', 'is', null)
      .execute();
    await audit({ action: 'member.deactivate', objectType: 'member', objectId: id, fields: ['status'] });
  });
}

function invitationStatus(row: { accepted_at: Date | null; revoked_at: Date | null; expires_at: Date }) {
  if (row.accepted_at) return 'accepted' as const;
  if (row.revoked_at) return 'revoked' as const;
  return new Date(row.expires_at).getTime() <= Date.now() ? ('expired' as const) : ('pending' as const);
}

type InvitationRow = {
  id: string;
  email: string;
  role: MemberView['role'];
  is_dpo: boolean;
  invited_by: string;
  created_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
};

function invitationView(row: InvitationRow) {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    isDpo: row.is_dpo,
    invitedBy: row.invited_by,
    createdAt: iso(row.created_at),
    expiresAt: iso(row.expires_at),
    status: invitationStatus(row),
  };
}

/**
 * Invites someone by email. Only Administrators may hand out the Administrator role or the DPO
 * flag. The link goes only by e-mail to the invited address: whoever holds it proves they read
 * that mailbox, so it is never shown to the inviter.
 */
export async function inviteMember(app: AppContext, caller: Caller, input: z.infer<typeof invitationCreate>) {
  if ((input.role === 'administrator' || input.isDpo) && caller.auth.role !== 'administrator') {
    throw new AppError(403, 'forbidden', 'Only Administrators can invite Administrators or DPOs.');
  }
  const { invitation, link, workspaceName } = await asCaller(app, caller, async (tx, audit) => {
    const alreadyMember = await tx
      .selectFrom('members')
      .innerJoin('users', 'users.id', 'members.user_id')
      .select('members.id')
      .where('members.tenant_id', '=', caller.auth.tenantId)
      .where(sql`lower(users.email)`, '=', input.email)
      .where('members.status', '=', 'active')
      .executeTakeFirst();
    if (alreadyMember) throw conflict('This person is already a member of the workspace.', { field: 'email' });
    const id = crypto.randomUUID();
    const secret = newSecret();
    const row = await tx
      .insertInto('invitations')
      .values({
        tenant_id: caller.auth.tenantId,
        id,
        email: input.email,
        role: input.role,
        is_dpo: input.isDpo,
        token_hash: sha256(secret),
        invited_by: caller.auth.memberId,
        expires_at: new Date(Date.now() + INVITATION_TTL_MS),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const tenant = await tx.selectFrom('tenants').select('name').where('id', '=', caller.auth.tenantId).executeTakeFirstOrThrow();
    await audit({ action: 'invitation.create', objectType: 'invitation', objectId: id, fields: ['email', 'role'] });
    const token = composeToken(INVITATION_PREFIX, caller.auth.tenantId, id, secret);
    return { invitation: invitationView(row), link: `${app.config.publicUrl}/accept-invitation#${token}`, workspaceName: tenant.name };
  });
  await mailInvitation(app, input.email, input.role, workspaceName, link);
  return invitation;
}

function mailInvitation(app: AppContext, to: string, role: MemberView['role'], workspaceName: string, link: string) {
  return app.mailer.send({
    to,
    subject: `You are invited to ${workspaceName} on Lawful CRM`,
    text:
      `You have been invited to join the workspace "${workspaceName}" as ${ROLE_LABELS[role]}.\n\n` +
      `Accept the invitation within 7 days:\n${link}\n\n` +
      'If you already have a Lawful CRM account with this address, you will be asked to sign in to it first.\n' +
      'If you did not expect this message you can ignore it.\n',
  });
}

/**
 * Sends an open invitation again with a new link valid for 7 more days; the previous link stops
 * working (its secret is replaced). The same role rule as for inviting applies.
 */
export async function resendInvitation(app: AppContext, caller: Caller, id: string) {
  const { invitation, link, workspaceName } = await asCaller(app, caller, async (tx, audit) => {
    const current = await tx
      .selectFrom('invitations')
      .select(['role', 'is_dpo'])
      .where('tenant_id', '=', caller.auth.tenantId)
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .where('accepted_at', 'is', null)
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw notFound('Invitation');
    if ((current.role === 'administrator' || current.is_dpo) && caller.auth.role !== 'administrator') {
      throw new AppError(403, 'forbidden', 'Only Administrators can invite Administrators or DPOs.');
    }
    const secret = newSecret();
    const row = await tx
      .updateTable('invitations')
      .set({ token_hash: sha256(secret), expires_at: new Date(Date.now() + INVITATION_TTL_MS) })
      .where('tenant_id', '=', caller.auth.tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const tenant = await tx.selectFrom('tenants').select('name').where('id', '=', caller.auth.tenantId).executeTakeFirstOrThrow();
    await audit({ action: 'invitation.resend', objectType: 'invitation', objectId: id });
    const token = composeToken(INVITATION_PREFIX, caller.auth.tenantId, id, secret);
    return { invitation: invitationView(row), link: `${app.config.publicUrl}/accept-invitation#${token}`, workspaceName: tenant.name };
  });
  await mailInvitation(app, invitation.email, invitation.role, workspaceName, link);
  return invitation;
}

export async function listInvitations(app: AppContext, caller: Caller, page: { limit: number; cursor?: string | undefined }) {
  const rows = await asCaller(app, caller, (tx) => {
    const q = tx.selectFrom('invitations').selectAll().where('tenant_id', '=', caller.auth.tenantId);
    return pageBy(q, 'invitations.id', { expression: sql`invitations.created_at`, direction: 'desc' }, page.cursor, page.limit).execute();
  });
  return finishPage(rows, page.limit, invitationView);
}

export async function revokeInvitation(app: AppContext, caller: Caller, id: string): Promise<void> {
  await asCaller(app, caller, async (tx, audit) => {
    const result = await tx
      .updateTable('invitations')
      .set({ revoked_at: sql`now()` })
      .where('tenant_id', '=', caller.auth.tenantId)
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .where('accepted_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw notFound('Invitation');
    await audit({ action: 'invitation.revoke', objectType: 'invitation', objectId: id });
  });
}

type PendingInvitation = { tenantId: string; id: string; email: string; role: MemberView['role']; isDpo: boolean };

const invalidInvitation = () =>
  new AppError(404, 'invalid_invitation', 'This invitation link is invalid, expired, revoked or already used.');

async function pendingInvitation(app: AppContext, token: string): Promise<PendingInvitation> {
  const parsed = parseToken(INVITATION_PREFIX, token);
  if (!parsed) throw invalidInvitation();
  const row = await withTenant(app.db, parsed.tenantId, (tx) =>
    tx.selectFrom('invitations').selectAll().where('tenant_id', '=', parsed.tenantId).where('id', '=', parsed.rowId).executeTakeFirst(),
  );
  if (!row || !sameHash(row.token_hash, sha256(parsed.secret)) || invitationStatus(row) !== 'pending') throw invalidInvitation();
  return { tenantId: parsed.tenantId, id: row.id, email: row.email, role: row.role, isDpo: row.is_dpo };
}

/**
 * Claims the invitation and makes the user a member, in the caller's transaction. Claiming first
 * makes a concurrent second acceptance find it used.
 */
async function join(tx: Tx, invitation: PendingInvitation, userId: string, client: ClientInfo): Promise<void> {
  await enterTenant(tx, invitation.tenantId);
  const claimed = await tx
    .updateTable('invitations')
    .set({ accepted_at: sql`now()` })
    .where('tenant_id', '=', invitation.tenantId)
    .where('id', '=', invitation.id)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) === 0) throw invalidInvitation();
  const member = await tx
    .insertInto('members')
    .values({ tenant_id: invitation.tenantId, user_id: userId, role: invitation.role, is_dpo: invitation.isDpo })
    // An active member keeps the role they have (an old or second invitation never demotes
    // them, so the last Administrator cannot disappear this way); a deactivated one comes back
    // with the invitation's role.
    .onConflict((conflict) =>
      conflict.columns(['tenant_id', 'user_id']).doUpdateSet({
        role: sql`case when members.status = 'active' then members.role else excluded.role end`,
        is_dpo: sql`case when members.status = 'active' then members.is_dpo or excluded.is_dpo else excluded.is_dpo end`,
        status: 'active',
        deactivated_at: null,
      }),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  await syncAssignments(tx, invitation.tenantId, member.id);
  await recordAudit(
    tx,
    invitation.tenantId,
    { actorType: 'member', actorId: member.id, ip: client.ip, userAgent: client.userAgent, requestId: client.requestId },
    { action: 'invitation.accept', objectType: 'invitation', objectId: invitation.id },
  );
}

/**
 * Accepting as a newcomer creates the account and the membership and signs the person in. An
 * invitation to an e-mail that already has an account is never accepted by a password here
 * (that would be a sign-in without the second factor or the lock): its owner signs in and
 * accepts from the session (joinWithSession). The token is single-use.
 */
export async function acceptInvitation(app: AppContext, input: z.infer<typeof invitationAccept>, client: ClientInfo): Promise<SignedIn> {
  const invitation = await pendingInvitation(app, input.token);
  const existing = await withUser(app.db, null, (tx) =>
    tx
      .selectFrom('users')
      .select('id')
      .where(sql`lower(email)`, '=', invitation.email)
      .executeTakeFirst(),
  );
  if (existing) {
    throw new AppError(409, 'sign_in_to_accept', 'An account with this email already exists: sign in to it, then accept the invitation.');
  }
  if (!input.name) throw unprocessable('Your name is required to create the account.', { field: 'name' });
  checkPasswordPolicy(input.password, { email: invitation.email, name: input.name });
  const passwordHash = await hashPassword(input.password);
  try {
    const session = await withUser(app.db, null, async (tx) => {
      const user = await tx
        .insertInto('users')
        .values({ email: invitation.email, name: input.name!, password_hash: passwordHash })
        .returning('id')
        .executeTakeFirstOrThrow();
      await join(tx, invitation, user.id, client);
      return createSession(tx, {
        userId: user.id,
        tenantId: invitation.tenantId,
        mfaPending: false,
        secondFactor: false,
        ip: client.ip,
        userAgent: client.userAgent,
      });
    });
    return { session, info: await sessionInfo(app, session.id, invitation.tenantId) };
  } catch (error) {
    if (isUniqueViolation(error, 'users_email_key')) throw invalidInvitation();
    throw error;
  }
}

/**
 * The signed-in owner of the invited e-mail joins the workspace and continues there, in a new
 * session that carries what the current one proved (a second factor included).
 */
export async function joinWithSession(app: AppContext, caller: Caller, token: string, client: ClientInfo): Promise<SignedIn> {
  const invitation = await pendingInvitation(app, token);
  const session = await withUser(app.db, caller.auth.userId, async (tx) => {
    const user = await tx
      .selectFrom('users')
      .select(['email', 'totp_enabled_at'])
      .where('id', '=', caller.auth.userId)
      .executeTakeFirstOrThrow();
    if (user.email.toLowerCase() !== invitation.email.toLowerCase()) {
      throw new AppError(
        403,
        'invitation_for_another_account',
        'This invitation was sent to another e-mail address than the one you are signed in with.',
      );
    }
    const current = await tx
      .selectFrom('sessions')
      .select('second_factor')
      .where('id', '=', caller.auth.sessionId!)
      .executeTakeFirstOrThrow();
    await join(tx, invitation, caller.auth.userId, client);
    const member = await tx
      .selectFrom('members')
      .innerJoin('tenants', 'tenants.id', 'members.tenant_id')
      .select(['members.role', 'tenants.require_admin_totp'])
      .where('members.tenant_id', '=', invitation.tenantId)
      .where('members.user_id', '=', caller.auth.userId)
      .executeTakeFirstOrThrow();
    await revokeSession(tx, caller.auth.userId, caller.auth.sessionId!);
    return createSession(tx, {
      userId: caller.auth.userId,
      tenantId: invitation.tenantId,
      mfaPending: mustEnrolTotp(member.role, member.require_admin_totp, user.totp_enabled_at),
      secondFactor: current.second_factor,
      ip: client.ip,
      userAgent: client.userAgent,
    });
  });
  return { session, info: await sessionInfo(app, session.id, invitation.tenantId) };
}
