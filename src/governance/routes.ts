import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { callerOf } from '../auth/guard.ts';
import * as incidents from './incidents.ts';
import * as processors from './subprocessors.ts';

const idParam = z.object({ id: z.string().uuid() });

export function governanceRoutes(fastify: FastifyInstance, app: AppContext): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['incidents'];

  r.get('/api/v1/incidents', {
    config: { access: 'incidents.manage' },
    schema: { tags, summary: 'The breach and incident register, newest first, with each 72-hour clock', response: { 200: z.object({ items: z.array(incidents.incidentView) }) } },
    handler: async (request) => incidents.listIncidents(app, callerOf(request)),
  });
  r.post('/api/v1/incidents', {
    config: { access: 'incidents.manage' },
    schema: { tags, summary: 'Record an incident (the clock runs from awareAt)', body: incidents.incidentInput, response: { 201: incidents.incidentView } },
    handler: async (request, reply) => reply.code(201).send(await incidents.createIncident(app, callerOf(request), request.body)),
  });
  r.get('/api/v1/incidents/:id', {
    config: { access: 'incidents.manage', resource: 'incident' },
    schema: { tags, summary: 'An incident and its clock', params: idParam, response: { 200: incidents.incidentView } },
    handler: async (request) => incidents.getIncident(app, callerOf(request), request.params.id),
  });
  r.patch('/api/v1/incidents/:id', {
    config: { access: 'incidents.manage', resource: 'incident' },
    schema: { tags, summary: 'Complete the record; mark the authority notified; close', params: idParam, body: incidents.incidentPatch, response: { 200: incidents.incidentView } },
    handler: async (request) => incidents.updateIncident(app, callerOf(request), request.params.id, request.body),
  });
  r.post('/api/v1/incidents/:id/decision', {
    config: { access: 'incidents.manage', resource: 'incident' },
    schema: { tags, summary: 'Record whether the authority must be notified, and why', params: idParam, body: incidents.decisionInput, response: { 200: incidents.incidentView } },
    handler: async (request) => incidents.decideNotification(app, callerOf(request), request.params.id, request.body),
  });
  r.post('/api/v1/incidents/:id/affected', {
    config: { access: 'incidents.manage', resource: 'incident' },
    schema: { tags, summary: 'Add the people a member exported in a time window (from the export log)', params: idParam, body: incidents.affectedInput, response: { 200: incidents.incidentView } },
    handler: async (request) => incidents.computeAffected(app, callerOf(request), request.params.id, request.body),
  });
  const ptags = ['sub-processors'];
  r.get('/api/v1/subprocessors', {
    config: { access: 'governance.read' },
    schema: { tags: ptags, summary: 'Sub-processors, where they are and under which safeguard', response: { 200: z.object({ items: z.array(processors.subprocessorView) }) } },
    handler: async (request) => processors.listSubprocessors(app, callerOf(request)),
  });
  r.post('/api/v1/subprocessors', {
    config: { access: 'governance.manage' },
    schema: { tags: ptags, summary: 'Add a sub-processor (a transfer outside the EEA needs a fitting safeguard)', body: processors.subprocessorInput, response: { 201: processors.subprocessorView } },
    handler: async (request, reply) => reply.code(201).send(await processors.createSubprocessor(app, callerOf(request), request.body)),
  });
  r.patch('/api/v1/subprocessors/:id', {
    config: { access: 'governance.manage', resource: 'subprocessor' },
    schema: { tags: ptags, summary: 'Change a sub-processor (logged)', params: idParam, body: processors.subprocessorPatch, response: { 200: processors.subprocessorView } },
    handler: async (request) => processors.updateSubprocessor(app, callerOf(request), request.params.id, request.body),
  });
  r.delete('/api/v1/subprocessors/:id', {
    config: { access: 'governance.manage', resource: 'subprocessor' },
    schema: { tags: ptags, summary: 'Remove a sub-processor (kept inactive for the change log)', params: idParam },
    handler: async (request, reply) => {
      await processors.removeSubprocessor(app, callerOf(request), request.params.id);
      return reply.code(204).send();
    },
  });

  r.get('/api/v1/incidents/:id/drafts', {
    config: { access: 'incidents.manage', resource: 'incident' },
    schema: { tags, summary: 'Notification drafts: to the authority (Art. 33(3)) and to the people (Art. 34(2))', params: idParam, response: { 200: z.object({ authority: z.string(), persons: z.string() }) } },
    handler: async (request) => incidents.notificationDrafts(app, callerOf(request), request.params.id),
  });
}
