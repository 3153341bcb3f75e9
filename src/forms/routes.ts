import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { callerOf } from '../auth/guard.ts';
import { idParam } from '../shared/fields.ts';
import { cookieBannerInput, cookieBannerView, getCookieBanner, setCookieBanner } from './cookie-banner.ts';
import { formInput, formPatch, formView } from './schema.ts';
import { createForm, getForm, listForms, updateForm } from './service.ts';

/** Building forms and the cookie banner (their public side: public-routes.ts). */
export function formRoutes(fastify: FastifyInstance, app: AppContext): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();

  const formTags = ['forms'];
  r.get('/forms', {
    config: { access: 'forms.manage' },
    schema: { tags: formTags, summary: 'Forms of the workspace', response: { 200: z.object({ items: z.array(formView) }) } },
    handler: async (request) => listForms(app, callerOf(request)),
  });
  r.post('/forms', {
    config: { access: 'forms.manage' },
    schema: { tags: formTags, summary: 'Build a form (created as draft)', body: formInput, response: { 201: formView } },
    handler: async (request, reply) => reply.code(201).send(await createForm(app, callerOf(request), request.body)),
  });
  r.get('/forms/:id', {
    config: { access: 'forms.manage', resource: 'form' },
    schema: { tags: formTags, summary: 'A form, its current version and links', params: idParam, response: { 200: formView } },
    handler: async (request) => getForm(app, callerOf(request), request.params.id),
  });
  r.patch('/forms/:id', {
    config: { access: 'forms.manage', resource: 'form' },
    schema: {
      tags: formTags,
      summary: 'Edit a form; editing a live one creates a new version',
      params: idParam,
      body: formPatch,
      response: { 200: formView },
    },
    handler: async (request) => updateForm(app, callerOf(request), request.params.id, request.body),
  });
  r.get('/cookie-banner', {
    config: { access: 'forms.manage' },
    schema: {
      tags: formTags,
      summary: 'The cookie banner: wording, categories (purposes with a cookie category) and script URL',
      response: { 200: cookieBannerView },
    },
    handler: async (request) => getCookieBanner(app, callerOf(request)),
  });
  r.put('/cookie-banner', {
    config: { access: 'forms.manage' },
    schema: { tags: formTags, summary: 'Set the cookie banner wording', body: cookieBannerInput, response: { 200: cookieBannerView } },
    handler: async (request) => setCookieBanner(app, callerOf(request), request.body),
  });
}
