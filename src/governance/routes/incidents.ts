import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.ts';
import { callerOf } from '../../auth/guard.ts';
import { idParam } from '../../shared/fields.ts';
import * as detection from '../detection.ts';
import * as incidents from '../incidents.ts';

/** Incidents (Art. 33–34): the register, decisions, affected people, detection rules, notification drafts. */
export function incidentRoutes(fastify: FastifyInstance, app: AppContext): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['incidents'];

  r.get('/incidents', {
    config: { access: 'incidents.manage' },
    schema: {
      tags,
      summary: 'The breach and incident register, newest first, with each 72-hour clock',
      response: { 200: z.object({ items: z.array(incidents.incidentView) }) },
    },
    handler: async (request) => incidents.listIncidents(app, callerOf(request)),
  });
  r.post('/incidents', {
    config: { access: 'incidents.manage' },
    schema: {
      tags,
      summary: 'Record an incident (the clock runs from awareAt)',
      body: incidents.incidentInput,
      response: { 201: incidents.incidentView },
    },
    handler: async (request, reply) => reply.code(201).send(await incidents.createIncident(app, callerOf(request), request.body)),
  });
  r.get('/incidents/:id', {
    config: { access: 'incidents.manage', resource: 'incident' },
    schema: { tags, summary: 'An incident and its clock', params: idParam, response: { 200: incidents.incidentView } },
    handler: async (request) => incidents.getIncident(app, callerOf(request), request.params.id),
  });
  r.patch('/incidents/:id', {
    config: { access: 'incidents.manage', resource: 'incident' },
    schema: {
      tags,
      summary: 'Complete the record; mark the authority notified; close',
      params: idParam,
      body: incidents.incidentPatch,
      response: { 200: incidents.incidentView },
    },
    handler: async (request) => incidents.updateIncident(app, callerOf(request), request.params.id, request.body),
  });
  r.post('/incidents/:id/decision', {
    config: { access: 'incidents.manage', resource: 'incident' },
    schema: {
      tags,
      summary: 'Record whether the authority must be notified, and why',
      params: idParam,
      body: incidents.decisionInput,
      response: { 200: incidents.incidentView },
    },
    handler: async (request) => incidents.decideNotification(app, callerOf(request), request.params.id, request.body),
  });
  r.post('/incidents/:id/affected', {
    config: { access: 'incidents.manage', resource: 'incident' },
    schema: {
      tags,
      summary: 'Add the people a member exported in a time window (from the export log)',
      params: idParam,
      body: incidents.affectedInput,
      response: { 200: incidents.incidentView },
    },
    handler: async (request) => incidents.computeAffected(app, callerOf(request), request.params.id, request.body),
  });
  r.get('/detection-settings', {
    config: { access: 'incidents.manage' },
    schema: {
      tags,
      summary: 'Detection rules: working hours, failed sign-in threshold, new-network alerts',
      response: { 200: detection.detectionSettingsView },
    },
    handler: async (request) => detection.getDetectionSettings(app, callerOf(request)),
  });
  r.patch('/detection-settings', {
    config: { access: 'incidents.manage' },
    schema: {
      tags,
      summary: 'Change the detection rules',
      body: detection.detectionSettingsInput,
      response: { 200: detection.detectionSettingsView },
    },
    handler: async (request) => detection.updateDetectionSettings(app, callerOf(request), request.body),
  });

  r.get('/incidents/:id/drafts', {
    config: { access: 'incidents.manage', resource: 'incident' },
    schema: {
      tags,
      summary: 'Notification drafts: to the authority (Art. 33(3)) and to the people (Art. 34(2))',
      params: idParam,
      response: { 200: z.object({ authority: z.string(), persons: z.string() }) },
    },
    handler: async (request) => incidents.notificationDrafts(app, callerOf(request), request.params.id),
  });
}
