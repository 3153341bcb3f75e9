import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { callerOf } from '../auth/guard.ts';
import * as s from './schema.ts';
import { createView, deleteView, listViews, updateView } from './service.ts';

/** A view's id: a uuid, or default:… for the views every workspace has (which cannot change). */
const viewId = z.object({ id: z.string().min(1).max(100) });

export function viewRoutes(fastify: FastifyInstance, app: AppContext): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['views'];
  r.get('/views', {
    config: { access: 'crm.read' },
    schema: {
      tags,
      summary: "Views of a list: the default ones, the caller's own and those shared with the workspace",
      querystring: s.viewListQuery,
      response: { 200: z.object({ items: z.array(s.viewView) }) },
    },
    handler: async (request) => listViews(app, callerOf(request), request.query.object),
  });
  r.post('/views', {
    config: { access: 'crm.read' },
    schema: { tags, summary: 'Save the filters, order and columns of a list as a view', body: s.viewInput, response: { 201: s.viewView } },
    handler: async (request, reply) => reply.code(201).send(await createView(app, callerOf(request), request.body)),
  });
  r.patch('/views/:id', {
    config: { access: 'crm.read', resource: 'view' },
    schema: {
      tags,
      summary: 'Rename, share or change a view (its author or an administrator)',
      params: viewId,
      body: s.viewPatch,
      response: { 200: s.viewView },
    },
    handler: async (request) => updateView(app, callerOf(request), request.params.id, request.body),
  });
  r.delete('/views/:id', {
    config: { access: 'crm.read', resource: 'view' },
    schema: { tags, summary: 'Remove a view (its author or an administrator)', params: viewId },
    handler: async (request, reply) => {
      await deleteView(app, callerOf(request), request.params.id);
      return reply.code(204).send();
    },
  });
}
