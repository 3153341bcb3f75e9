import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.ts';
import { callerOf } from '../../auth/guard.ts';
import { asCaller } from '../../auth/context.ts';
import { isoRequired } from '../../shared/dates.ts';
import { buildRegister, registerCsv, registerPdf, registerView, saveRegisterVersion } from '../register.ts';

/** The record of processing activities (Art. 30), its exports and saved versions. */
export function registerRoutes(fastify: FastifyInstance, app: AppContext): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const rtags = ['register'];
  r.get('/register', {
    config: { access: 'governance.read' },
    schema: {
      tags: rtags,
      summary: 'The register of processing activities (Art. 30), as JSON, CSV or PDF',
      querystring: z.object({ format: z.enum(['json', 'csv', 'pdf']).default('json') }),
      // The JSON form; CSV and PDF are sent as files and not serialised against it.
      response: { 200: registerView },
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
      // Fastify sends a string or Buffer of a non-JSON type as it is: the JSON schema does not apply to the files.
      if (request.query.format === 'csv')
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${file}.csv"`)
          .send(registerCsv(register) as never);
      if (request.query.format === 'pdf')
        return reply
          .type('application/pdf')
          .header('content-disposition', `attachment; filename="${file}.pdf"`)
          .send((await registerPdf(register, version)) as never);
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
}
