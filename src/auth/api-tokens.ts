import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { tenantStatement } from '../db/tenant.ts';
import { notFound, unprocessable } from '../http/errors.ts';
import { finishPage, pageBy } from '../http/pagination.ts';
import { asCaller, type AuthContext, type Caller } from './context.ts';
import { isAction, memberAllows, type Action } from './permissions.ts';
import type { Role } from './roles.ts';
import { composeToken, newSecret, parseToken, sameHash, sha256 } from './secrets.ts';

export const TOKEN_PREFIX = 'lct';
const TOUCH_EVERY_MS = 60_000;

export interface ApiTokenView {
  id: string;
  name: string;
  scopes: string[];
  memberId: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

function view(row: {
  id: string;
  name: string;
  scopes: string[];
  member_id: string;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}): ApiTokenView {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes,
    memberId: row.member_id,
    createdAt: iso(row.created_at)!,
    expiresAt: iso(row.expires_at),
    lastUsedAt: iso(row.last_used_at),
    revokedAt: iso(row.revoked_at),
  };
}

/** A token may only carry actions its creator may perform; it is shown once and stored hashed. */
export async function createApiToken(
  app: AppContext,
  caller: Caller,
  input: { name: string; scopes: string[]; expiresAt?: string | undefined },
) {
  const unknown = input.scopes.filter((scope) => !isAction(scope));
  if (unknown.length > 0) throw unprocessable(`Unknown scopes: ${unknown.join(', ')}`, { field: 'scopes', unknown });
  const beyond = input.scopes.filter((scope) => !memberAllows(caller.auth, scope as Action));
  if (beyond.length > 0) throw unprocessable(`You cannot grant scopes you do not have: ${beyond.join(', ')}`, { field: 'scopes', beyond });
  if (input.expiresAt && new Date(input.expiresAt).getTime() <= Date.now()) {
    throw unprocessable('expiresAt must be in the future', { field: 'expiresAt' });
  }
  return asCaller(app, caller, async (tx, audit) => {
    const id = crypto.randomUUID();
    const secret = newSecret();
    const row = await tx
      .insertInto('api_tokens')
      .values({
        tenant_id: caller.auth.tenantId,
        id,
        member_id: caller.auth.memberId,
        name: input.name,
        token_hash: sha256(secret),
        scopes: [...new Set(input.scopes)].sort(),
        expires_at: input.expiresAt ? new Date(input.expiresAt) : null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit({ action: 'api_token.create', objectType: 'api_token', objectId: id, fields: ['name', 'scopes'] });
    return { ...view(row), token: composeToken(TOKEN_PREFIX, caller.auth.tenantId, id, secret) };
  });
}

export async function listApiTokens(app: AppContext, caller: Caller, page: { limit: number; cursor?: string | undefined }) {
  const rows = await asCaller(app, caller, (tx) => {
    const query = tx.selectFrom('api_tokens').selectAll().where('tenant_id', '=', caller.auth.tenantId);
    return pageBy(query, 'api_tokens.id', { expression: sql`api_tokens.created_at`, direction: 'desc' }, page.cursor, page.limit).execute();
  });
  return finishPage(rows, page.limit, view);
}

export async function revokeApiToken(app: AppContext, caller: Caller, id: string): Promise<void> {
  await asCaller(app, caller, async (tx, audit) => {
    const result = await tx
      .updateTable('api_tokens')
      .set({ revoked_at: sql`now()` })
      .where('tenant_id', '=', caller.auth.tenantId)
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw notFound('API token');
    await audit({ action: 'api_token.revoke', objectType: 'api_token', objectId: id });
  });
}

/** The caller an `Authorization: Bearer lct.…` header stands for, if the token is live. */
export async function resolveApiToken(app: AppContext, token: string): Promise<AuthContext | null> {
  const parsed = parseToken(TOKEN_PREFIX, token);
  if (!parsed) return null;
  const [row] = await tenantStatement(app.db, parsed.tenantId, (tx) =>
    tx
      .selectFrom('api_tokens')
      .innerJoin('members', (join) =>
        join.onRef('members.tenant_id', '=', 'api_tokens.tenant_id').onRef('members.id', '=', 'api_tokens.member_id'),
      )
      .select([
        'api_tokens.id',
        'api_tokens.token_hash',
        'api_tokens.scopes',
        'api_tokens.expires_at',
        'api_tokens.revoked_at',
        'api_tokens.last_used_at',
        'members.id as memberId',
        'members.user_id',
        'members.role',
        'members.is_dpo',
        'members.status',
      ])
      .where('api_tokens.tenant_id', '=', parsed.tenantId)
      .where('api_tokens.id', '=', parsed.rowId),
  );
  if (!row || !sameHash(row.token_hash, sha256(parsed.secret)) || row.revoked_at || row.status !== 'active') return null;
  if (row.expires_at && new Date(row.expires_at).getTime() <= Date.now()) return null;
  if (!row.last_used_at || new Date(row.last_used_at).getTime() + TOUCH_EVERY_MS <= Date.now()) {
    await tenantStatement(app.db, parsed.tenantId, (tx) =>
      tx
        .updateTable('api_tokens')
        .set({ last_used_at: sql`now()` })
        .where('tenant_id', '=', parsed.tenantId)
        .where('id', '=', row.id),
    );
  }
  return {
    kind: 'api_token',
    tenantId: parsed.tenantId,
    userId: row.user_id,
    memberId: row.memberId,
    role: row.role as Role,
    isDpo: row.is_dpo,
    sessionId: null,
    tokenId: row.id,
    scopes: row.scopes.filter(isAction),
    mfaPending: false,
  };
}
