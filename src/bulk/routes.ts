import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.ts';
import { callerOf } from '../auth/guard.ts';
import { LIST_FILTERS } from '../crm/schema.ts';
import { bulkAssignInput, bulkCount, bulkDeleteInput, bulkResult, bulkSegmentInput } from './schema.ts';
import { bulkAddToSegment, bulkAssign, bulkDelete, countMatching } from './service.ts';

const OBJECTS = [
  { path: 'accounts', object: 'account', label: 'accounts' },
  { path: 'contacts', object: 'contact', label: 'contacts' },
  { path: 'leads', object: 'lead', label: 'leads' },
  { path: 'opportunities', object: 'opportunity', label: 'deals' },
] as const;

/**
 * Actions on many records of a list at once, on a selection or on a whole view: each is one
 * transaction, recorded once with its count (bulk_actions) and audited once.
 */
export function bulkRoutes(fastify: FastifyInstance, app: AppContext): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  for (const { path, object, label } of OBJECTS) {
    const tags = [path];
    const filters = LIST_FILTERS[object];
    r.get(`/${path}/bulk/count`, {
      config: { access: 'crm.read' },
      schema: {
        tags,
        summary: `How many ${label} a view's filters match (to act on the whole view)`,
        querystring: filters,
        response: { 200: bulkCount },
      },
      handler: async (request) => countMatching(app, callerOf(request), object, request.query),
    });
    r.post(`/${path}/bulk/assign`, {
      config: { access: 'crm.write' },
      schema: {
        tags,
        summary: `Give many ${label} to one owner`,
        body: bulkAssignInput(filters),
        response: { 200: bulkResult },
      },
      handler: async (request) => bulkAssign(app, callerOf(request), object, request.body),
    });
    r.post(`/${path}/bulk/delete`, {
      config: { access: 'crm.delete' },
      schema: {
        tags,
        summary: `Delete many ${label} (preview: true counts them first)`,
        body: bulkDeleteInput(filters),
        response: { 200: bulkResult },
      },
      handler: async (request) => bulkDelete(app, callerOf(request), object, request.body),
    });
    if (object === 'contact' || object === 'lead') {
      r.post(`/${path}/bulk/add-to-segment`, {
        config: { access: 'campaigns.manage' },
        schema: {
          tags,
          summary: `Add many ${label} to a hand-picked campaign segment (a new one if named)`,
          body: bulkSegmentInput(filters),
          response: { 200: bulkResult },
        },
        handler: async (request) => bulkAddToSegment(app, callerOf(request), object, request.body),
      });
    }
  }
}
