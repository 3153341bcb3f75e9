import type { AuditEntry, AuditOrigin } from '../audit/service.ts';
import { recordAudit, recordRead } from '../audit/service.ts';
import type { AppContext } from '../app-context.ts';
import { withTenant, type Tx } from '../db/tenant.ts';
import type { Action } from './permissions.ts';
import type { Role } from './roles.ts';

/** Who is making an authenticated request, in which workspace, with which rights. */
export interface AuthContext {
  /** 'cli': an operator on the server's command line, acting as a named member. */
  kind: 'session' | 'api_token' | 'cli';
  tenantId: string;
  userId: string;
  memberId: string;
  role: Role;
  isDpo: boolean;
  sessionId: string | null;
  tokenId: string | null;
  /** For API tokens: the actions the token was given. */
  scopes: Action[] | null;
  /** Signed in, but must enrol a second factor before anything else. */
  mfaPending: boolean;
}

/** An authenticated caller: what services need to act on its behalf and to audit it. */
export interface Caller {
  auth: AuthContext;
  origin: AuditOrigin;
}

export function originOf(auth: AuthContext, request: { ip?: string; userAgent?: string | null; requestId?: string }): AuditOrigin {
  return {
    actorType: auth.kind === 'api_token' ? 'api_token' : 'member',
    actorId: auth.kind === 'api_token' ? auth.tokenId : auth.memberId,
    ip: request.ip ?? null,
    userAgent: request.userAgent ?? null,
    requestId: request.requestId ?? null,
  };
}

export type Audit = (entry: AuditEntry) => Promise<void>;

/**
 * A tenant transaction on the caller's workspace, with audit writers bound to the caller: audit
 * chains the event at once; auditRead, for reads of people's records only, leaves it for the
 * chaining job so concurrent reads do not queue on the chain head.
 */
export function asCaller<T>(app: AppContext, caller: Caller, fn: (tx: Tx, audit: Audit, auditRead: Audit) => Promise<T>): Promise<T> {
  const tenantId = caller.auth.tenantId;
  return withTenant(
    app.db,
    tenantId,
    (tx) =>
      fn(
        tx,
        async (entry) => {
          await recordAudit(tx, tenantId, caller.origin, entry);
        },
        (entry) => recordRead(tx, tenantId, caller.origin, entry),
      ),
    caller.auth.memberId,
  );
}
