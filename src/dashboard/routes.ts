import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.ts';
import { callerOf } from '../auth/guard.ts';
import { salesDashboardQuery, salesDashboardView } from './schema.ts';
import { salesDashboard } from './service.ts';

export function dashboardRoutes(fastify: FastifyInstance, app: AppContext): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  r.get('/dashboard/sales', {
    config: { access: 'crm.read' },
    schema: {
      tags: ['dashboard'],
      summary: 'Pipeline by stage and currency, deals won and lost by month, activity by member, lead conversion',
      querystring: salesDashboardQuery,
      response: { 200: salesDashboardView },
    },
    handler: async (request) => salesDashboard(app, callerOf(request), request.query),
  });
}
