import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { callerOf } from '../auth/guard.ts';
import * as incidents from './incidents.ts';
import * as processors from './subprocessors.ts';
import { asCaller } from '../auth/context.ts';
import { isoRequired } from '../shared/dates.ts';
import { buildRegister, registerCsv, registerPdf, saveRegisterVersion } from './register.ts';
import * as dpia from './dpia.ts';
import * as training from './training.ts';
import * as detection from './detection.ts';
import * as compliance from './compliance.ts';

const idParam = z.object({ id: z.string().uuid() });

export function governanceRoutes(fastify: FastifyInstance, app: AppContext): void {
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
  const ptags = ['sub-processors'];
  r.get('/subprocessors', {
    config: { access: 'governance.read' },
    schema: {
      tags: ptags,
      summary: 'Sub-processors, where they are and under which safeguard',
      response: { 200: z.object({ items: z.array(processors.subprocessorView) }) },
    },
    handler: async (request) => processors.listSubprocessors(app, callerOf(request)),
  });
  r.post('/subprocessors', {
    config: { access: 'governance.manage' },
    schema: {
      tags: ptags,
      summary: 'Add a sub-processor (a transfer outside the EEA needs a fitting safeguard)',
      body: processors.subprocessorInput,
      response: { 201: processors.subprocessorView },
    },
    handler: async (request, reply) => reply.code(201).send(await processors.createSubprocessor(app, callerOf(request), request.body)),
  });
  r.patch('/subprocessors/:id', {
    config: { access: 'governance.manage', resource: 'subprocessor' },
    schema: {
      tags: ptags,
      summary: 'Change a sub-processor (logged)',
      params: idParam,
      body: processors.subprocessorPatch,
      response: { 200: processors.subprocessorView },
    },
    handler: async (request) => processors.updateSubprocessor(app, callerOf(request), request.params.id, request.body),
  });
  r.delete('/subprocessors/:id', {
    config: { access: 'governance.manage', resource: 'subprocessor' },
    schema: { tags: ptags, summary: 'Remove a sub-processor (kept inactive for the change log)', params: idParam },
    handler: async (request, reply) => {
      await processors.removeSubprocessor(app, callerOf(request), request.params.id);
      return reply.code(204).send();
    },
  });

  const rtags = ['register'];
  r.get('/register', {
    config: { access: 'governance.read' },
    schema: {
      tags: rtags,
      summary: 'The register of processing activities (Art. 30), as JSON, CSV or PDF',
      querystring: z.object({ format: z.enum(['json', 'csv', 'pdf']).default('json') }),
    },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      const { register, version } = await asCaller(app, caller, async (tx) => {
        const latest = await tx
          .selectFrom('register_versions')
          .select('version')
          .where('tenant_id', '=', caller.auth.tenantId)
          .orderBy('version', 'desc')
          .limit(1)
          .executeTakeFirst();
        return { register: await buildRegister(tx, caller.auth.tenantId), version: latest?.version ?? null };
      });
      const file = `register-of-processing-${register.generatedAt.slice(0, 10)}`;
      if (request.query.format === 'csv')
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${file}.csv"`)
          .send(registerCsv(register));
      if (request.query.format === 'pdf')
        return reply
          .type('application/pdf')
          .header('content-disposition', `attachment; filename="${file}.pdf"`)
          .send(await registerPdf(register, version));
      return register;
    },
  });
  r.get('/register/versions', {
    config: { access: 'governance.read' },
    schema: {
      tags: rtags,
      summary: 'Saved versions of the register and what changed in each',
      response: {
        200: z.object({
          items: z.array(
            z.object({ version: z.number(), changes: z.array(z.string()), createdAt: z.string(), createdBy: z.string().nullable() }),
          ),
        }),
      },
    },
    handler: async (request) => {
      const caller = callerOf(request);
      return asCaller(app, caller, async (tx) => ({
        items: (
          await tx
            .selectFrom('register_versions')
            .select(['version', 'changes', 'created_at', 'created_by'])
            .where('tenant_id', '=', caller.auth.tenantId)
            .orderBy('version', 'desc')
            .execute()
        ).map((row) => ({
          version: row.version,
          changes: row.changes,
          createdAt: isoRequired(row.created_at),
          createdBy: row.created_by,
        })),
      }));
    },
  });
  r.post('/register/versions', {
    config: { access: 'governance.manage' },
    schema: {
      tags: rtags,
      summary: 'Save the register as a new version (when it changed)',
      response: { 201: z.object({ version: z.number(), changes: z.array(z.string()), saved: z.boolean() }) },
    },
    handler: async (request, reply) => reply.code(201).send(await saveRegisterVersion(app, callerOf(request))),
  });

  const dtags = ['DPIA'];
  r.get('/dpias', {
    config: { access: 'governance.read' },
    schema: {
      tags: dtags,
      summary: 'Impact assessments, next review first',
      response: { 200: z.object({ items: z.array(dpia.dpiaView) }) },
    },
    handler: async (request) => dpia.listDpias(app, callerOf(request)),
  });
  r.post('/dpias', {
    config: { access: 'governance.manage' },
    schema: {
      tags: dtags,
      summary: 'Start an impact assessment of a register activity',
      body: dpia.dpiaInput,
      response: { 201: dpia.dpiaView },
    },
    handler: async (request, reply) => reply.code(201).send(await dpia.createDpia(app, callerOf(request), request.body)),
  });
  r.get('/dpias/:id', {
    config: { access: 'governance.read', resource: 'dpia' },
    schema: {
      tags: dtags,
      summary: 'An impact assessment; ?format=pdf for the document',
      params: idParam,
      querystring: z.object({ format: z.enum(['json', 'pdf']).default('json') }),
    },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      const view = await dpia.getDpia(app, caller, request.params.id);
      if (request.query.format !== 'pdf') return view;
      const workspace = await asCaller(app, caller, (tx) =>
        tx.selectFrom('tenants').select('name').where('id', '=', caller.auth.tenantId).executeTakeFirstOrThrow(),
      );
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="dpia-${view.id}.pdf"`)
        .send(await dpia.dpiaPdf(view, workspace.name));
    },
  });
  r.patch('/dpias/:id', {
    config: { access: 'governance.manage', resource: 'dpia' },
    schema: {
      tags: dtags,
      summary: 'Edit an assessment (a substantive change voids the sign-off)',
      params: idParam,
      body: dpia.dpiaPatch,
      response: { 200: dpia.dpiaView },
    },
    handler: async (request) => dpia.updateDpia(app, callerOf(request), request.params.id, request.body),
  });
  r.post('/dpias/:id/sign-off', {
    config: { access: 'governance.manage', resource: 'dpia' },
    schema: {
      tags: dtags,
      summary: 'Sign off (needs the DPO opinion and the residual risk)',
      params: idParam,
      response: { 200: dpia.dpiaView },
    },
    handler: async (request) => dpia.signOffDpia(app, callerOf(request), request.params.id),
  });

  const ttags = ['training'];
  r.get('/training-modules', {
    config: { access: 'governance.read' },
    schema: {
      tags: ttags,
      summary: 'Training modules with how many assigned and completed',
      response: { 200: z.object({ items: z.array(training.moduleView) }) },
    },
    handler: async (request) => training.listModules(app, callerOf(request)),
  });
  r.post('/training-modules', {
    config: { access: 'governance.manage' },
    schema: {
      tags: ttags,
      summary: 'Add a module; every member of its roles gets it assigned',
      body: training.moduleInput,
      response: { 201: training.moduleView },
    },
    handler: async (request, reply) => reply.code(201).send(await training.createModule(app, callerOf(request), request.body)),
  });
  r.patch('/training-modules/:id', {
    config: { access: 'governance.manage', resource: 'training_module' },
    schema: {
      tags: ttags,
      summary: 'Change or archive a module (assignments follow)',
      params: idParam,
      body: training.modulePatch,
      response: { 200: training.moduleView },
    },
    handler: async (request) => training.updateModule(app, callerOf(request), request.params.id, request.body),
  });
  r.get('/training-assignments', {
    config: { access: 'governance.manage' },
    schema: {
      tags: ttags,
      summary: 'Assignments of all members; overdue=true for the overdue list',
      querystring: z.object({ memberId: z.string().uuid().optional(), overdue: z.enum(['true', 'false']).optional() }),
      response: { 200: z.object({ items: z.array(training.assignmentView) }) },
    },
    handler: async (request) =>
      training.listAssignments(app, callerOf(request), { memberId: request.query.memberId, overdue: request.query.overdue === 'true' }),
  });
  r.get('/training-assignments/mine', {
    config: { access: 'authenticated' },
    schema: {
      tags: ttags,
      summary: 'Your own training assignments',
      response: { 200: z.object({ items: z.array(training.assignmentView) }) },
    },
    handler: async (request) => training.listAssignments(app, callerOf(request), { mine: true }),
  });
  r.post('/training-assignments/:id/complete', {
    config: { access: 'authenticated', resource: 'training_assignment' },
    schema: {
      tags: ttags,
      summary: 'Complete your training with the quiz score',
      params: idParam,
      body: z.object({ score: z.number().int().min(0).max(100) }),
      response: { 200: z.object({ completed: z.boolean() }) },
    },
    handler: async (request) => training.completeAssignment(app, callerOf(request), request.params.id, request.body.score),
  });

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
