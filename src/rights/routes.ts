import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { asCaller } from '../auth/context.ts';
import { callerOf } from '../auth/guard.ts';
import { pageOf } from '../http/pagination.ts';
import { accessReport } from './access-report.ts';
import { executeRequest } from './execute.ts';
import {
  extendRequest,
  findRequest,
  getRequest,
  listRequests,
  logRequest,
  recordEvidence,
  requestSummary,
  subjectOfRequest,
  updateRequest,
} from './requests.ts';
import * as s from './schema.ts';
import { idParam } from '../shared/fields.ts';

export function rightsRoutes(fastify: FastifyInstance, app: AppContext): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['data subject requests'];

  r.get('/dsr-requests', {
    config: { access: 'dsr.read' },
    schema: {
      tags,
      summary: 'The request queue, soonest deadline first',
      querystring: s.dsrListQuery,
      response: { 200: pageOf(s.dsrView) },
    },
    handler: async (request) => listRequests(app, callerOf(request), request.query),
  });
  r.get('/dsr-requests/summary', {
    config: { access: 'dsr.read' },
    schema: { tags, summary: 'Open, near-due and overdue requests (dashboard)', response: { 200: s.dsrSummary } },
    handler: async (request) => requestSummary(app, callerOf(request)),
  });
  r.post('/dsr-requests', {
    config: { access: 'dsr.manage' },
    schema: {
      tags,
      summary: 'Log a request received by email, phone, letter or in person (the requester gets a receipt)',
      body: s.dsrInput,
      response: { 201: s.dsrView },
    },
    handler: async (request, reply) => reply.code(201).send(await logRequest(app, callerOf(request), request.body)),
  });
  r.get('/dsr-requests/:id', {
    config: { access: 'dsr.read', resource: 'dsr_request' },
    schema: { tags, summary: 'A request with the records it concerns and its evidence', params: idParam, response: { 200: s.dsrView } },
    handler: async (request) => getRequest(app, callerOf(request), request.params.id),
  });
  r.patch('/dsr-requests/:id', {
    config: { access: 'dsr.manage', resource: 'dsr_request' },
    schema: {
      tags,
      summary: 'Assign, verify identity, move on, complete or reject (with reason)',
      params: idParam,
      body: s.dsrPatch,
      response: { 200: s.dsrView },
    },
    handler: async (request) => updateRequest(app, callerOf(request), request.params.id, request.body),
  });
  r.post('/dsr-requests/:id/extend', {
    config: { access: 'dsr.manage', resource: 'dsr_request' },
    schema: {
      tags,
      summary: 'Extend the deadline by two months, once, with the reason (told to the person)',
      params: idParam,
      body: s.extensionInput,
      response: { 200: s.dsrView },
    },
    handler: async (request) => extendRequest(app, callerOf(request), request.params.id, request.body.reason),
  });
  r.post('/dsr-requests/:id/evidence', {
    config: { access: 'dsr.manage', resource: 'dsr_request' },
    schema: {
      tags,
      summary: 'Add to the evidence: what was found, done or sent',
      params: idParam,
      body: s.evidenceInput,
      response: { 201: s.dsrView },
    },
    handler: async (request, reply) => reply.code(201).send(await recordEvidence(app, callerOf(request), request.params.id, request.body)),
  });
  r.post('/dsr-requests/:id/execute', {
    config: { access: 'dsr.manage', resource: 'dsr_request' },
    schema: {
      tags,
      summary: 'Do what the request asks (report, erase, restrict, object) and complete it with evidence',
      params: idParam,
      response: { 200: s.dsrView },
    },
    handler: async (request) => executeRequest(app, callerOf(request), request.params.id),
  });
  r.get('/dsr-requests/:id/report', {
    config: { access: 'dsr.read', resource: 'dsr_request' },
    schema: {
      tags,
      summary: "The access report for the request's address, as the person would receive it",
      params: idParam,
      response: { 200: s.accessReportSchema },
    },
    handler: async (request) => {
      const caller = callerOf(request);
      return asCaller(app, caller, async (tx, audit) => {
        const row = await findRequest(tx, caller.auth.tenantId, request.params.id);
        const report = await accessReport(app, tx, caller.auth.tenantId, await subjectOfRequest(app, tx, caller.auth.tenantId, row));
        await audit({ action: 'dsr.report', objectType: 'dsr_request', objectId: row.id, fields: ['report'] });
        // The zod schema documents the shape; the serializer checks it at run time.
        return report as unknown as z.output<typeof s.accessReportSchema>;
      });
    },
  });
}
