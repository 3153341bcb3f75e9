import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { callerOf, clientOf, setSessionCookie } from '../auth/guard.ts';
import { sessionInfo } from '../auth/schema.ts';
import { pageOf, pageQuery } from '../http/pagination.ts';
import { invitationAccept, invitationCreate, invitationView, memberListQuery, memberPatch, memberView } from './schema.ts';
import {
  acceptInvitation,
  deactivateMember,
  getMember,
  inviteMember,
  listInvitations,
  listMembers,
  revokeInvitation,
  updateMember,
} from './service.ts';

const idParam = z.object({ id: z.string().uuid() });

export function memberRoutes(fastify: FastifyInstance, app: AppContext): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['members'];

  r.get('/api/v1/members', {
    config: { access: 'members.read' },
    schema: { tags, summary: 'List members', querystring: pageQuery.merge(memberListQuery), response: { 200: pageOf(memberView) } },
    handler: async (request) => listMembers(app, callerOf(request), request.query),
  });

  r.get('/api/v1/members/:id', {
    config: { access: 'members.read', resource: 'member' },
    schema: { tags, summary: 'Get a member', params: idParam, response: { 200: memberView } },
    handler: async (request) => getMember(app, callerOf(request), request.params.id),
  });

  r.patch('/api/v1/members/:id', {
    config: { access: 'members.manage', resource: 'member', changesSessions: 'workspace' },
    schema: { tags, summary: 'Change role, DPO flag or team', params: idParam, body: memberPatch, response: { 200: memberView } },
    handler: async (request) => updateMember(app, callerOf(request), request.params.id, request.body),
  });

  r.delete('/api/v1/members/:id', {
    config: { access: 'members.manage', resource: 'member', changesSessions: 'workspace' },
    schema: { tags, summary: 'Deactivate a member (ends their sessions)', params: idParam },
    handler: async (request, reply) => {
      await deactivateMember(app, callerOf(request), request.params.id);
      return reply.code(204).send();
    },
  });

  r.get('/api/v1/invitations', {
    config: { access: 'members.invite' },
    schema: { tags, summary: 'List invitations', querystring: pageQuery, response: { 200: pageOf(invitationView) } },
    handler: async (request) => listInvitations(app, callerOf(request), request.query),
  });

  r.post('/api/v1/invitations', {
    config: { access: 'members.invite' },
    schema: {
      tags,
      summary: 'Invite someone by email',
      body: invitationCreate,
      response: { 201: invitationView.extend({ acceptUrl: z.string() }) },
    },
    handler: async (request, reply) => reply.code(201).send(await inviteMember(app, callerOf(request), request.body)),
  });

  r.delete('/api/v1/invitations/:id', {
    config: { access: 'members.invite', resource: 'invitation' },
    schema: { tags, summary: 'Revoke a pending invitation', params: idParam },
    handler: async (request, reply) => {
      await revokeInvitation(app, callerOf(request), request.params.id);
      return reply.code(204).send();
    },
  });

  r.post('/api/v1/auth/invitations/accept', {
    config: { access: 'public' },
    schema: { tags: ['auth'], summary: 'Accept an invitation and sign in', body: invitationAccept, response: { 200: sessionInfo } },
    handler: async (request, reply) => {
      const { session, info } = await acceptInvitation(app, request.body, clientOf(request));
      setSessionCookie(app, reply, session.token);
      return info;
    },
  });
}
