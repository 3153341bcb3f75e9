import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.ts';
import { callerOf } from '../auth/guard.ts';
import { timelineQuery, timelineView } from './schema.ts';
import { recordTimeline } from './service.ts';

export function timelineRoutes(fastify: FastifyInstance, app: AppContext): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  r.get('/timeline', {
    config: { access: 'crm.read' },
    schema: {
      tags: ['timeline'],
      summary: "A record's timeline: notes, calls, e-mails, meetings, tasks, stage changes, consent, e-mails sent and sync, newest first",
      querystring: timelineQuery,
      response: { 200: timelineView },
    },
    handler: async (request) => recordTimeline(app, callerOf(request), request.query),
  });
}
