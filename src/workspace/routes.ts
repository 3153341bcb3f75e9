import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.ts';
import { callerOf } from '../auth/guard.ts';
import { workspacePatch, workspaceView } from './schema.ts';
import { getWorkspace, updateWorkspace } from './service.ts';

export function workspaceRoutes(fastify: FastifyInstance, app: AppContext): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['workspace'];

  r.get('/workspace', {
    config: { access: 'workspace.read' },
    schema: { tags, summary: 'The current workspace', response: { 200: workspaceView } },
    handler: async (request) => getWorkspace(app, callerOf(request)),
  });

  r.patch('/workspace', {
    config: { access: 'workspace.manage', changesSessions: 'workspace' },
    schema: {
      tags,
      summary:
        'Rename the workspace, require TOTP of Administrators, set the default jurisdiction, the campaign sender identity and the B2B marketing exceptions relied on',
      body: workspacePatch,
      response: { 200: workspaceView },
    },
    handler: async (request) => updateWorkspace(app, callerOf(request), request.body),
  });
}
