import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { sql } from 'kysely';
import { userStatement } from '../db/tenant.ts';
import { requestPrecondition } from '../db/transaction-state.ts';
import { AppError, forbidden, unauthorized } from '../http/errors.ts';
import { routedPath } from '../http/text-input.ts';
import { hitPublicLimits } from '../http/public-limits.ts';
import { RequestCounters } from '../http/request-counters.ts';
import { resolveApiToken } from './api-tokens.ts';
import { originOf, type AuthContext, type Caller } from './context.ts';
import { memberAllows, type Action } from './permissions.ts';
import { SessionHints } from './session-hints.ts';
import { csrfTokenFor, resolveSession, SESSION_ABSOLUTE_MS, SESSION_CHANGED, SESSION_ENDED, sessionConfirmation } from './sessions.ts';
import { sha256 } from './secrets.ts';
import type { ClientInfo } from './service.ts';

/** 'public': no sign-in. 'authenticated': any signed-in member. An Action: checked against the permission table. */
export type Access = 'public' | 'authenticated' | Action;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** Allowed for a session that still has to enrol a second factor. */
    mfaExempt?: boolean;
    /** Only browser sessions, not API tokens (password, second factor, own sessions). */
    sessionOnly?: boolean;
    /** The kind of object named by the :id parameter (used by the cross-tenant tests). */
    resource?: string;
    /** Changes what sessions act as (role, second factor): this node's hints of them go (SessionHints). */
    changesSessions?: 'user' | 'workspace';
    /**
     * A public page or link that acts for a data subject (confirm, unsubscribe, preferences,
     * portal): refused to a browser signed in as a member, so staff never make a person's choices.
     */
    forDataSubject?: boolean;
  }
  interface FastifyRequest {
    auth: AuthContext | null;
    /** The hash of the session cookie the request was authenticated by, the key of its hint (SessionHints). */
    sessionTokenHash: string | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function sessionCookieName(app: AppContext): string {
  return app.config.secureCookies ? '__Host-lawful_session' : 'lawful_session';
}

export function setSessionCookie(app: AppContext, reply: FastifyReply, token: string): void {
  reply.setCookie(sessionCookieName(app), token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: app.config.secureCookies,
    maxAge: SESSION_ABSOLUTE_MS / 1000,
  });
}

export function clearSessionCookie(app: AppContext, reply: FastifyReply): void {
  reply.clearCookie(sessionCookieName(app), { path: '/', httpOnly: true, sameSite: 'lax', secure: app.config.secureCookies });
}

async function authenticate(app: AppContext, hints: SessionHints, request: FastifyRequest): Promise<AuthContext | null> {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match ? resolveApiToken(app, match[1]!) : null;
  }
  const token = request.cookies[sessionCookieName(app)];
  if (!token) return null;
  const tokenHash = sha256(token).toString('base64url');
  const hint = hints.get(tokenHash);
  const store = requestPrecondition.getStore();
  if (hint && store) {
    store.precondition = {
      ...sessionConfirmation(hint),
      state: 'pending',
      error: null,
      failedBy: (error) => isSessionFailure(error),
    };
    request.sessionTokenHash = tokenHash;
    return { ...hint.auth };
  }
  const resolved = await resolveSession(app, token);
  if (resolved) {
    hints.remember(tokenHash, resolved);
    request.sessionTokenHash = tokenHash;
  }
  return resolved?.auth ?? null;
}

/**
 * The API's unauthenticated state-changing routes (sign-up, sign-in, accepting an invitation) set
 * the session cookie: a foreign page posting to them could sign the victim's browser into the
 * attacker's account (login CSRF). They take JSON only, which a plain HTML form cannot send, and
 * refuse requests a browser marks as cross-site or whose Origin is neither this host nor the
 * installation's public URL. Clients that are not browsers send neither header.
 */
function refuseCrossSite(app: AppContext, request: FastifyRequest): void {
  const type = String(request.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  if (type !== 'application/json')
    throw new AppError(415, 'unsupported_media_type', 'This endpoint takes JSON only (Content-Type: application/json).', {
      contentType: type || null,
    });
  const site = request.headers['sec-fetch-site'];
  const origin = request.headers.origin;
  const ownOrigins = new Set([new URL(app.config.publicUrl).origin, `${request.protocol}://${request.headers.host ?? ''}`]);
  if ((site !== undefined && site !== 'same-origin' && site !== 'none') || (origin !== undefined && !ownOrigins.has(origin))) {
    throw forbidden(
      "Signing in, signing up and accepting invitations are only possible from Lawful CRM's own pages.",
      'cross_site_refused',
    );
  }
}

/** Whether the request carries the cookie of a live member session (whatever the route). */
async function signedInAsMember(app: AppContext, request: FastifyRequest): Promise<boolean> {
  const token = request.cookies[sessionCookieName(app)];
  return token !== undefined && (await resolveSession(app, token)) !== null;
}

function isSessionFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === SESSION_ENDED || code === SESSION_CHANGED;
}

/** The answer to a request whose session did not confirm (see SessionHints). */
export function sessionFailure(error: unknown): AppError | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === SESSION_ENDED) return unauthorized('unauthenticated', 'Your session has ended; sign in again.');
  if (code === SESSION_CHANGED) {
    return new AppError(
      409,
      'session_changed',
      'Your role, DPO flag or second factor changed since your last request, so this one was refused before it did anything; send it again.',
    );
  }
  return null;
}

function csrfMatches(app: AppContext, request: FastifyRequest, sessionId: string): boolean {
  const sent = request.headers['x-csrf-token'];
  if (typeof sent !== 'string') return false;
  const expected = Buffer.from(csrfTokenFor(app, sessionId));
  const given = Buffer.from(sent);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

/**
 * The one guard every route goes through, before its body is even parsed: a refused request
 * reaches no handler and so changes nothing.
 */
export function installGuard(fastify: FastifyInstance, app: AppContext): void {
  fastify.decorateRequest('auth', null);
  fastify.decorateRequest('sessionTokenHash', null);
  const counters = new RequestCounters(app.db);
  const hints = new SessionHints();
  fastify.addHook('onClose', () => counters.close());
  // Everything a request runs, to its last hook, sees its own precondition (transaction-state.ts).
  fastify.addHook('onRequest', (_request, _reply, done) => requestPrecondition.run({ precondition: null }, done));
  // A request authenticated by a hint is answered only once the database confirmed the session:
  // by its first transaction, or here by a statement of its own when it ran none.
  fastify.addHook('onSend', async (request, reply, payload) => {
    // A change made through a session may change the session itself (second factor, workspace,
    // role): its next request resolves it afresh instead of failing its confirmation.
    if (request.sessionTokenHash && !SAFE_METHODS.has(request.method)) hints.forget(request.sessionTokenHash);
    const changes = request.routeOptions.config?.changesSessions;
    if (changes && request.auth)
      hints.forgetAll(changes === 'user' ? { userId: request.auth.userId } : { tenantId: request.auth.tenantId });
    const precondition = requestPrecondition.getStore()?.precondition;
    if (!precondition) return payload;
    if (precondition.state === 'pending') {
      try {
        await userStatement(app.db, null, (tx) => tx.selectNoFrom(sql<number>`1`.as('confirmed')));
      } catch (error) {
        if (!precondition.failedBy(error)) throw error;
      }
    }
    if (precondition.state !== 'failed') return payload;
    if (request.sessionTokenHash) hints.forget(request.sessionTokenHash);
    const failure = sessionFailure(precondition.error)!;
    reply.code(failure.status).type('application/json; charset=utf-8');
    return JSON.stringify({ error: failure.code, message: failure.message, details: null });
  });
  fastify.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    const access = config.access;
    const limits = app.config.rateLimits;
    const path = routedPath(request);
    if (path.startsWith('/api/')) {
      // Per address on every API call; far stricter, and exact across nodes, on the endpoints that take passwords and codes.
      const tooMany = 'Too many requests from this address; try again later.';
      counters.hit([{ key: `ip:${request.ip}`, max: limits.address, windowSeconds: 60 }], tooMany);
      if (access === 'public' && path.startsWith('/api/v1/auth/'))
        await hitPublicLimits(app.db, [{ key: `sign-in:${request.ip}`, max: limits.signIn, windowSeconds: 60 }], tooMany);
    }
    if (config.forDataSubject && (await signedInAsMember(app, request))) {
      throw forbidden(
        "You are signed in to Lawful CRM as a member of staff. This link acts for the person it was sent to, so only they can use it: a person's choices are made by the person. Open it signed out (or in a private window) only if it was sent to you.",
        'data_subject_only',
      );
    }
    if (access === 'public' && path.startsWith('/api/') && !SAFE_METHODS.has(request.method)) refuseCrossSite(app, request);
    if (access === undefined || access === 'public') return;

    const auth = await authenticate(app, hints, request);
    if (auth) {
      const principal = auth.kind === 'api_token' ? `token:${auth.tokenId}` : `member:${auth.memberId}`;
      counters.hit([{ key: principal, max: limits.principal, windowSeconds: 60 }], 'Too many requests; slow down and try again later.');
    }
    if (!auth) throw unauthorized('unauthenticated', 'Sign in, or send a valid API token as "Authorization: Bearer …".');
    if (auth.kind === 'session' && !SAFE_METHODS.has(request.method) && !csrfMatches(app, request, auth.sessionId!)) {
      throw forbidden('Missing or invalid X-CSRF-Token header (get it from GET /api/v1/auth/session).', 'csrf_failed');
    }
    if (auth.kind === 'api_token' && config.sessionOnly) {
      throw forbidden('This endpoint is only available to signed-in members, not API tokens.', 'session_required');
    }
    if (auth.mfaPending && !config.mfaExempt) {
      throw forbidden('This workspace requires Administrators to set up two-factor authentication first.', 'totp_enrollment_required');
    }
    if (access !== 'authenticated') {
      if (!memberAllows(auth, access)) throw forbidden(`Your role does not allow ${access}.`);
      if (auth.scopes && !auth.scopes.includes(access)) throw forbidden(`This API token lacks the scope ${access}.`, 'insufficient_scope');
    }
    request.auth = auth;
  });
}

export function clientOf(request: FastifyRequest): ClientInfo {
  return { ip: request.ip, userAgent: request.headers['user-agent'] ?? null, requestId: request.id };
}

/** The client's country as a trusted proxy reports it; never taken from a header the client could set itself. */
export function countryOf(app: AppContext, request: FastifyRequest): string | null {
  if (!app.config.trustProxy || !app.config.countryHeader) return null;
  const value = request.headers[app.config.countryHeader];
  const code = (Array.isArray(value) ? value[0] : value)?.trim().toUpperCase();
  return code && /^[A-Z]{2}$/.test(code) ? code : null;
}

/** The authenticated caller of a guarded route. */
export function callerOf(request: FastifyRequest): Caller {
  const auth = request.auth;
  if (!auth) throw new Error(`route ${request.routeOptions.url} used callerOf without an access rule`);
  return { auth, origin: originOf(auth, clientOf(request)) };
}
