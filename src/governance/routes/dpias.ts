import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.ts';
import { callerOf } from '../../auth/guard.ts';
import { idParam } from '../../shared/fields.ts';
import { asCaller } from '../../auth/context.ts';
import * as dpia from '../dpia.ts';

/** Data protection impact assessments (Art. 35). */
export function dpiaRoutes(fastify: FastifyInstance, app: AppContext): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
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
}
