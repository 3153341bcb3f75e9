import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { callerOf } from '../auth/guard.ts';
import { AppError } from '../http/errors.ts';
import { pageOf } from '../http/pagination.ts';
import * as integrations from './integrations.ts';
import { recordLinks } from './links.ts';
import { pushRecord } from './push.ts';
import * as reviews from './reviews.ts';
import { finishOAuth, OAuthRefused, oauthApps, startOAuth } from './oauth.ts';
import {
  disconnectQuery,
  integrationInput,
  oauthAppsView,
  oauthCallbackQuery,
  oauthStartInput,
  oauthStartView,
  integrationPatch,
  integrationView,
  linkListQuery,
  pushInput,
  recordLinksView,
  pushResult,
  reviewListQuery,
  reviewResolution,
  reviewView,
  runListQuery,
  runView,
  syncNowInput,
} from './schema.ts';
import { idParam } from '../shared/fields.ts';

export function syncRoutes(fastify: FastifyInstance, app: AppContext): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['sync'];

  r.get('/integrations', {
    config: { access: 'integrations.read' },
    schema: {
      tags,
      summary: 'Connections to other CRMs, with their last run and linked records',
      response: { 200: z.object({ items: z.array(integrationView) }) },
    },
    handler: async (request) => integrations.listIntegrations(app, callerOf(request)),
  });
  r.post('/integrations', {
    config: { access: 'integrations.manage' },
    schema: {
      tags,
      summary: 'Connect a CRM: credentials are stored encrypted and the initial sync is queued',
      body: integrationInput,
      response: { 201: integrationView },
    },
    handler: async (request, reply) => reply.code(201).send(await integrations.createIntegration(app, callerOf(request), request.body)),
  });
  r.get('/integrations/oauth/apps', {
    config: { access: 'integrations.read' },
    schema: {
      tags,
      summary: 'The CRMs this installation can connect by signing in there (OAuth), with the scopes asked for',
      response: { 200: oauthAppsView },
    },
    handler: async () => oauthApps(app),
  });
  r.post('/integrations/oauth/start', {
    config: { access: 'integrations.manage' },
    schema: {
      tags,
      summary: "Connect a CRM by signing in there: returns the vendor's consent screen to send the browser to",
      body: oauthStartInput,
      response: { 200: oauthStartView },
    },
    handler: async (request) => startOAuth(app, callerOf(request), request.body),
  });
  r.get('/integrations/oauth/callback', {
    config: { access: 'integrations.manage' },
    schema: {
      tags,
      summary:
        "The vendor's redirect back after sign-in: the code is exchanged and the integration created; the browser is sent to the CRM sync page",
      querystring: oauthCallbackQuery,
    },
    handler: async (request, reply) => {
      try {
        const created = await finishOAuth(app, callerOf(request), request.query);
        return reply.redirect(`/?connected=${encodeURIComponent(created.id)}#/integrations`, 303);
      } catch (error) {
        // The browser is mid-redirect: a refusal is shown on the CRM sync page, not as JSON.
        if (error instanceof OAuthRefused || (error instanceof AppError && error.status < 500))
          return reply.redirect(`/?oauthError=${encodeURIComponent(error.message)}#/integrations`, 303);
        throw error;
      }
    },
  });
  r.get('/integrations/:id', {
    config: { access: 'integrations.read', resource: 'integration' },
    schema: {
      tags,
      summary: 'A connection, its last run and, once disconnected, its purge certificate',
      params: idParam,
      response: { 200: integrationView },
    },
    handler: async (request) => integrations.getIntegration(app, callerOf(request), request.params.id),
  });
  r.patch('/integrations/:id', {
    config: { access: 'integrations.manage', resource: 'integration' },
    schema: {
      tags,
      summary: 'Rename, change the interval or the role, or reconnect with new credentials',
      params: idParam,
      body: integrationPatch,
      response: { 200: integrationView },
    },
    handler: async (request) => integrations.updateIntegration(app, callerOf(request), request.params.id, request.body),
  });
  r.delete('/integrations/:id', {
    config: { access: 'integrations.manage', resource: 'integration' },
    schema: {
      tags,
      summary:
        'Disconnect: revoke the credentials now, then delete everything that came only from this CRM and write the purge certificate',
      params: idParam,
      querystring: disconnectQuery,
      response: { 202: integrationView },
    },
    handler: async (request, reply) =>
      reply.code(202).send(await integrations.disconnectIntegration(app, callerOf(request), request.params.id, request.query)),
  });
  r.post('/integrations/:id/sync', {
    config: { access: 'integrations.manage', resource: 'integration' },
    schema: {
      tags,
      summary: 'Sync now (409 while a run is queued or running)',
      params: idParam,
      body: syncNowInput,
      response: { 202: runView },
    },
    handler: async (request, reply) =>
      reply
        .code(202)
        .send(await integrations.syncNow(app, callerOf(request), request.params.id, request.body ?? { allowMassDeletion: false })),
  });
  r.post('/integrations/:id/push', {
    config: { access: 'integrations.push', resource: 'integration' },
    schema: {
      tags,
      summary:
        'Create or update one record in the connected CRM; a person only for a purpose the consent gate allows; 409 when it changed there since the last sync',
      params: idParam,
      body: pushInput,
      response: { 200: pushResult },
    },
    handler: async (request) => pushRecord(app, callerOf(request), request.params.id, request.body),
  });
  r.get('/integrations/:id/runs', {
    config: { access: 'integrations.read', resource: 'integration' },
    schema: {
      tags,
      summary: 'Runs of a connection, newest first, with their counts per object',
      params: idParam,
      querystring: runListQuery,
      response: { 200: pageOf(runView) },
    },
    handler: async (request) => integrations.listRuns(app, callerOf(request), request.params.id, request.query),
  });
  r.get('/sync-links', {
    config: { access: 'crm.read' },
    schema: {
      tags,
      summary: "A record's copies in other CRMs, with the rule that linked each",
      querystring: linkListQuery,
      response: { 200: recordLinksView },
    },
    handler: async (request) => recordLinks(app, callerOf(request), request.query),
  });
  r.get('/sync-reviews', {
    config: { access: 'integrations.read' },
    schema: {
      tags,
      summary: 'External records that looked like more than one of ours, kept apart for a person to decide',
      querystring: reviewListQuery,
      response: { 200: pageOf(reviewView) },
    },
    handler: async (request) => reviews.listReviews(app, callerOf(request), request.query),
  });
  r.post('/sync-reviews/:id/resolve', {
    config: { access: 'integrations.manage', resource: 'sync_review' },
    schema: {
      tags,
      summary: 'Merge into one of the candidates, or keep apart',
      params: idParam,
      body: reviewResolution,
      response: { 200: reviewView },
    },
    handler: async (request) => reviews.resolveReview(app, callerOf(request), request.params.id, request.body),
  });
}
