import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.ts';
import { callerOf } from '../../auth/guard.ts';
import { idParam } from '../../shared/fields.ts';
import * as training from '../training.ts';

/** Staff training modules and assignments. */
export function trainingRoutes(fastify: FastifyInstance, app: AppContext): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
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
}
