import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { html, page } from '../shared/html.ts';
import { SUPPRESSION_LIFTED } from '../consent/preferences.ts';
import { visitorOf } from '../forms/public-routes.ts';
import { acceptFormData } from '../http/form-data.ts';
import { preferencesOf, reconfirm, savePreferences, unsubscribe } from './suppressions.ts';

const tokenParam = z.object({ token: z.string().min(1).max(1000) });
const INVALID = page('Invalid link', html`<h1>This link is not valid</h1>`);
const EXPIRED = page(
  'Link expired',
  html`<h1>This link has expired</h1><p>Use the preferences link in a more recent email from us, or the privacy portal linked there. The unsubscribe link in any of our emails keeps working.</p>`,
);

export function emailLinkRoutes(fastify: FastifyInstance, app: AppContext): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['email links'];

  // RFC 8058: a GET never unsubscribes (mail scanners follow links); the POST does, in one click.
  // Its body is multipart/form-data (which RFC 8058 §3.2 says SHOULD be sent) or urlencoded.
  fastify.register(async (scope) => {
    acceptFormData(scope);
    const u = scope.withTypeProvider<ZodTypeProvider>();
    u.get('/u/:token', {
      config: { access: 'public', forDataSubject: true },
      schema: { tags, summary: 'Unsubscribe page', params: tokenParam },
      handler: async (_request, reply) =>
        reply
          .type('text/html')
          .send(
            page(
              'Unsubscribe',
              html`<h1>Unsubscribe</h1><form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe me</button></form>`,
            ),
          ),
    });
    u.post('/u/:token', {
      config: { access: 'public', forDataSubject: true },
      schema: {
        tags,
        summary:
          'One-click unsubscribe (RFC 8058 List-Unsubscribe-Post): body List-Unsubscribe=One-Click, as multipart/form-data or application/x-www-form-urlencoded',
        params: tokenParam,
      },
      handler: async (request, reply) => {
        const body = (request.body ?? {}) as Record<string, unknown>;
        if (body['List-Unsubscribe'] !== 'One-Click') {
          return reply
            .code(400)
            .type('text/html')
            .send(
              page(
                'Unsubscribe',
                html`<h1>Not an unsubscribe request</h1><p>The request must carry List-Unsubscribe=One-Click (RFC 8058).</p>`,
              ),
            );
        }
        const outcome = await unsubscribe(app, request.params.token, visitorOf(request));
        if (!outcome.ok) return reply.code(400).type('text/html').send(INVALID);
        return reply
          .type('text/html')
          .send(
            page(
              'Unsubscribed',
              html`<h1>You are unsubscribed</h1><p>You will receive no more marketing email from us${outcome.purpose && html` (${outcome.purpose})`}.</p>`,
            ),
          );
      },
    });
  });

  r.get('/p/:token', {
    config: { access: 'public', forDataSubject: true },
    schema: { tags, summary: 'Preference centre: every purpose with its state and a toggle', params: tokenParam },
    handler: async (request, reply) => {
      const preferences = await preferencesOf(app, request.params.token);
      if (preferences === 'expired') return reply.code(410).type('text/html').send(EXPIRED);
      if (!preferences) return reply.code(400).type('text/html').send(INVALID);
      const rows = preferences.items.map((item) => {
        const input =
          item.control === 'consent'
            ? html`<input type="checkbox" name="consent_${item.purposeId}"${item.state === 'granted' && html` checked`}>`
            : item.state === 'objected'
              ? html`<em>objected</em>`
              : html`<label><input type="checkbox" name="object_${item.purposeId}"> I object</label>`;
        return html`<tr><td><strong>${item.name}</strong><br><span class="muted">${item.description} (${item.legalBasis.replace('_', ' ')}; now: ${item.state})</span></td><td>${input}</td></tr>`;
      });
      return reply
        .type('text/html')
        .send(
          page(
            'Your preferences',
            html`<h1>Your preferences with ${preferences.workspace}</h1><form method="post"><table>${rows}</table><button type="submit">Save</button></form>`,
          ),
        );
    },
  });
  r.post('/p/:token', {
    config: { access: 'public', forDataSubject: true },
    schema: { tags, summary: 'Save the preference centre', params: tokenParam },
    handler: async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const pick = (prefix: string) =>
        new Set(
          Object.keys(body)
            .filter((key) => key.startsWith(prefix) && body[key] === 'on')
            .map((key) => key.slice(prefix.length)),
        );
      const saved = await savePreferences(app, request.params.token, pick('consent_'), pick('object_'), visitorOf(request));
      if (saved === 'expired') return reply.code(410).type('text/html').send(EXPIRED);
      if (saved === null) return reply.code(400).type('text/html').send(INVALID);
      const lifted = saved.liftedSuppressions > 0 && html`<p role="status">${SUPPRESSION_LIFTED}</p>`;
      return reply
        .type('text/html')
        .send(
          page(
            'Saved',
            html`<h1>Your preferences are saved</h1><p>${saved.changes} change(s) recorded.</p>${lifted}<p><a href="/p/${request.params.token}">Back</a></p>`,
          ),
        );
    },
  });

  r.get('/r/:token', {
    config: { access: 'public', forDataSubject: true },
    schema: { tags, summary: 'Re-permission: the page behind the reconfirmation link', params: tokenParam },
    handler: async (_request, reply) =>
      reply
        .type('text/html')
        .send(
          page(
            'Stay in touch',
            html`<h1>Do you still want to hear from us?</h1><form method="post"><button type="submit">Yes, keep me subscribed</button></form>`,
          ),
        ),
  });
  r.post('/r/:token', {
    config: { access: 'public', forDataSubject: true },
    schema: { tags, summary: 'Re-permission: reconfirm consent', params: tokenParam },
    handler: async (request, reply) => {
      const outcome = await reconfirm(app, request.params.token, visitorOf(request));
      const pages = {
        confirmed: [200, page('Thank you', html`<h1>Thank you, you stay subscribed</h1>`)],
        used: [409, page('Already confirmed', html`<h1>You have already confirmed</h1>`)],
        expired: [410, page('Link expired', html`<h1>This link has expired</h1>`)],
        invalid: [400, INVALID],
      } as const;
      const [code, body] = pages[outcome];
      return reply.code(code).type('text/html').send(body);
    },
  });
}
