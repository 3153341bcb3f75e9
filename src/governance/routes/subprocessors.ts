import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.ts';
import { callerOf } from '../../auth/guard.ts';
import { idParam } from '../../shared/fields.ts';
import * as processors from '../subprocessors.ts';

/** Sub-processors (Art. 28) and their transfer safeguards. */
export function subprocessorRoutes(fastify: FastifyInstance, app: AppContext): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
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
}
