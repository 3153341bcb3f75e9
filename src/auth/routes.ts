import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { pageOf, pageQuery } from '../http/pagination.ts';
import { createApiToken, listApiTokens, revokeApiToken } from './api-tokens.ts';
import { callerOf, clearSessionCookie, clientOf, countryOf, setSessionCookie } from './guard.ts';
import { ACTIONS } from './permissions.ts';
import {
  changePasswordBody,
  loginBody,
  recoveryCodes,
  recoveryCodesLeft,
  sessionInfo as sessionInfoSchema,
  sessionListItem,
  signupAccepted,
  signupBody,
  signupConfirmBody,
  switchWorkspaceBody,
  totpDisableBody,
  totpEnableBody,
  totpSetup,
} from './schema.ts';
import {
  changePassword,
  createRecoveryCodes,
  disableTotp,
  enableTotp,
  listSessions,
  logIn,
  logOut,
  recoveryCodesRemaining,
  revokeOwnSession,
  sessionInfo,
  confirmSignUp,
  requestSignUp,
  startTotpSetup,
  switchWorkspace,
} from './service.ts';
import { idParam } from '../shared/fields.ts';

export function authRoutes(fastify: FastifyInstance, app: AppContext): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['auth'];

  r.post('/auth/signup', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'Ask for a workspace and its first Administrator: a link to confirm goes to the e-mail address',
      description: 'The answer is the same whether or not the address already has an account (that address is told so by e-mail instead).',
      body: signupBody,
      response: { 202: signupAccepted },
    },
    handler: async (request, reply) => {
      await requestSignUp(app, request.body);
      return reply.code(202).send({
        status: 'confirmation_sent' as const,
        message: `Check ${request.body.email} for a link to finish creating your workspace.`,
      });
    },
  });

  r.post('/auth/signup/confirm', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'Follow the sign-up link: creates the workspace and signs you in',
      body: signupConfirmBody,
      response: { 201: sessionInfoSchema },
    },
    handler: async (request, reply) => {
      const { session, info } = await confirmSignUp(app, request.body.token, clientOf(request));
      setSessionCookie(app, reply, session.token);
      return reply.code(201).send(info);
    },
  });

  r.post('/auth/login', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'Sign in with email, password and (when enabled) a TOTP code',
      description: 'Sets the session cookie. Send the returned csrfToken as X-CSRF-Token on every state-changing request.',
      body: loginBody,
      response: { 200: sessionInfoSchema },
    },
    handler: async (request, reply) => {
      const { session, info } = await logIn(app, request.body, { ...clientOf(request), country: countryOf(app, request) });
      setSessionCookie(app, reply, session.token);
      return info;
    },
  });

  r.post('/auth/logout', {
    config: { access: 'authenticated', mfaExempt: true, sessionOnly: true },
    schema: { tags, summary: 'End the current session' },
    handler: async (request, reply) => {
      await logOut(app, callerOf(request));
      clearSessionCookie(app, reply);
      return reply.code(204).send();
    },
  });

  r.get('/auth/session', {
    config: { access: 'authenticated', mfaExempt: true, sessionOnly: true },
    schema: { tags, summary: 'The signed-in member, workspace, permissions and CSRF token', response: { 200: sessionInfoSchema } },
    handler: async (request) => {
      const { auth } = callerOf(request);
      return sessionInfo(app, auth.sessionId!, auth.tenantId);
    },
  });

  r.post('/auth/switch-workspace', {
    config: { access: 'authenticated', sessionOnly: true },
    schema: {
      tags,
      summary: 'Continue in another workspace of the same account',
      body: switchWorkspaceBody,
      response: { 200: sessionInfoSchema },
    },
    handler: async (request, reply) => {
      const { session, info } = await switchWorkspace(app, callerOf(request), request.body.workspace, clientOf(request));
      setSessionCookie(app, reply, session.token);
      return info;
    },
  });

  r.get('/auth/sessions', {
    config: { access: 'authenticated', sessionOnly: true },
    schema: { tags, summary: 'Your live sessions', response: { 200: z.object({ items: z.array(sessionListItem) }) } },
    handler: async (request) => ({ items: await listSessions(app, callerOf(request).auth) }),
  });

  r.delete('/auth/sessions/:id', {
    config: { access: 'authenticated', sessionOnly: true, resource: 'session' },
    schema: { tags, summary: 'Sign out one of your sessions', params: idParam },
    handler: async (request, reply) => {
      await revokeOwnSession(app, callerOf(request), request.params.id);
      return reply.code(204).send();
    },
  });

  r.post('/auth/password', {
    config: { access: 'authenticated', sessionOnly: true },
    schema: { tags, summary: 'Change your password (ends your other sessions)', body: changePasswordBody },
    handler: async (request, reply) => {
      await changePassword(app, callerOf(request), request.body);
      return reply.code(204).send();
    },
  });

  r.post('/auth/totp/setup', {
    config: { access: 'authenticated', mfaExempt: true, sessionOnly: true },
    schema: { tags, summary: 'Start two-factor enrolment: returns the secret and otpauth:// URL', response: { 200: totpSetup } },
    handler: async (request) => startTotpSetup(app, callerOf(request)),
  });

  r.post('/auth/totp/enable', {
    config: { access: 'authenticated', mfaExempt: true, sessionOnly: true, changesSessions: 'user' },
    schema: { tags, summary: 'Finish enrolment with a code from the app', body: totpEnableBody },
    handler: async (request, reply) => {
      await enableTotp(app, callerOf(request), request.body.code);
      return reply.code(204).send();
    },
  });

  r.post('/auth/totp/recovery-codes', {
    config: { access: 'authenticated', sessionOnly: true },
    schema: {
      tags,
      summary: 'Make a new set of ten recovery codes (replaces the previous set; shown once)',
      description: 'Needs two-factor on, and a session that proved it. Each code signs in once as recoveryCode in place of totp.',
      response: { 200: recoveryCodes },
    },
    handler: async (request) => createRecoveryCodes(app, callerOf(request)),
  });

  r.get('/auth/totp/recovery-codes', {
    config: { access: 'authenticated', sessionOnly: true },
    schema: { tags, summary: 'How many of your recovery codes are still unused', response: { 200: recoveryCodesLeft } },
    handler: async (request) => recoveryCodesRemaining(app, callerOf(request)),
  });

  r.post('/auth/totp/disable', {
    config: { access: 'authenticated', sessionOnly: true, changesSessions: 'user' },
    schema: { tags, summary: 'Turn two-factor authentication off (password and a current code)', body: totpDisableBody },
    handler: async (request, reply) => {
      await disableTotp(app, callerOf(request), request.body.password, request.body.code);
      return reply.code(204).send();
    },
  });

  const tokenTags = ['api tokens'];
  const tokenView = z.object({
    id: z.string().uuid(),
    name: z.string(),
    scopes: z.array(z.string()),
    memberId: z.string().uuid(),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  });

  r.get('/api-tokens', {
    config: { access: 'tokens.manage' },
    schema: { tags: tokenTags, summary: 'List API tokens', querystring: pageQuery, response: { 200: pageOf(tokenView) } },
    handler: async (request) => listApiTokens(app, callerOf(request), request.query),
  });

  r.post('/api-tokens', {
    config: { access: 'tokens.manage' },
    schema: {
      tags: tokenTags,
      summary: 'Create an API token (the token is shown once)',
      body: z.object({
        name: z.string().trim().min(1).max(100),
        scopes: z
          .array(z.string())
          .min(1)
          .describe(`Actions the token may perform: ${ACTIONS.join(', ')}`),
        expiresAt: z.string().datetime({ offset: true }).optional(),
      }),
      response: { 201: tokenView.extend({ token: z.string() }) },
    },
    handler: async (request, reply) => reply.code(201).send(await createApiToken(app, callerOf(request), request.body)),
  });

  r.delete('/api-tokens/:id', {
    config: { access: 'tokens.manage', resource: 'api_token' },
    schema: { tags: tokenTags, summary: 'Revoke an API token', params: idParam },
    handler: async (request, reply) => {
      await revokeApiToken(app, callerOf(request), request.params.id);
      return reply.code(204).send();
    },
  });
}
