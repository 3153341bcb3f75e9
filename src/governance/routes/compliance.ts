import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../../app-context.ts';
import { callerOf } from '../../auth/guard.ts';
import * as compliance from '../compliance.ts';

/** The compliance dashboard. */
export function complianceRoutes(fastify: FastifyInstance, app: AppContext): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  r.get('/compliance/summary', {
    config: { access: 'compliance.read' },
    schema: {
      tags: ['compliance'],
      summary:
        'The compliance dashboard: consent, legal bases, requests, retention, incidents, training, transfers, and the CNIL six steps scored',
      response: { 200: compliance.complianceSummary },
    },
    handler: async (request) => compliance.complianceSummaryOf(app, callerOf(request)),
  });
}
