import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.ts';
import { callerOf } from '../auth/guard.ts';
import { Readable } from 'node:stream';
import { auditEventsCsv, listAuditEvents } from './queries.ts';
import { auditFilter, auditListQuery, auditPage, chainVerificationView } from './schema.ts';
import { latestAnchors } from './anchors.ts';
import { verifyTenantChain } from './service.ts';

export function auditRoutes(fastify: FastifyInstance, app: AppContext): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['audit'];

  r.get('/audit-events', {
    config: { access: 'audit.read' },
    schema: { tags, summary: 'The audit trail, newest first', querystring: auditListQuery, response: { 200: auditPage } },
    handler: async (request) => listAuditEvents(app, callerOf(request), request.query),
  });

  r.get('/audit-events/export.csv', {
    config: { access: 'audit.read' },
    schema: {
      tags,
      summary: 'The audit trail as CSV, with the same filters as the list (newest first; formula-like cells neutralised)',
      querystring: auditFilter,
    },
    handler: async (request, reply) =>
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="audit-log.csv"')
        .send(Readable.from(await auditEventsCsv(app, callerOf(request), request.query))),
  });

  r.get('/audit-events/verify', {
    config: { access: 'audit.read' },
    schema: { tags, summary: 'Recompute the hash chain and report the first broken link', response: { 200: chainVerificationView } },
    handler: async (request) => {
      const tenantId = callerOf(request).auth.tenantId;
      const { anchors } = await latestAnchors(app.config, { file: app.config.auditAnchorFile });
      const result = await verifyTenantChain(app.db, tenantId, anchors.get(tenantId));
      return { ok: result.ok, events: result.events, brokenAt: result.brokenAt ?? null, anchoredAt: result.anchoredAt ?? null };
    },
  });
}
