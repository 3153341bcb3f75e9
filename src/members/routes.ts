import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.ts';
import { callerOf, clientOf, setSessionCookie } from '../auth/guard.ts';
import { sessionInfo } from '../auth/schema.ts';
import { pageOf, pageQuery } from '../http/pagination.ts';
import { invitationAccept, invitationCreate, invitationJoin, invitationView, memberListQuery, memberPatch, memberView } from './schema.ts';
import {
  acceptInvitation,
  deactivateMember,
  getMember,
  inviteMember,
  joinWithSession,
  listInvitations,
  listMembers,
  resendInvitation,
  revokeInvitation,
  updateMember,
} from './service.ts';
import { idParam } from '../shared/fields.ts';

export function memberRoutes(fastify: FastifyInstance, app: AppContext): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['members'];

  r.get('/members', {
    config: { access: 'members.read' },
    schema: { tags, summary: 'List members', querystring: pageQuery.merge(memberListQuery), response: { 200: pageOf(memberView) } },
    handler: async (request) => listMembers(app, callerOf(request), request.query),
  });

  r.get('/members/:id', {
    config: { access: 'members.read', resource: 'member' },
    schema: { tags, summary: 'Get a member', params: idParam, response: { 200: memberView } },
    handler: async (request) => getMember(app, callerOf(request), request.params.id),
  });

  r.patch('/members/:id', {
    config: { access: 'members.manage', resource: 'member', changesSessions: 'workspace' },
    schema: { tags, summary: 'Change role, DPO flag or team', params: idParam, body: memberPatch, response: { 200: memberView } },
    handler: async (request) => updateMember(app, callerOf(request), request.params.id, request.body),
  });

  r.delete('/members/:id', {
    config: { access: 'members.manage', resource: 'member', changesSessions: 'workspace' },
    schema: { tags, summary: 'Deactivate a member (ends their sessions)', params: idParam },
    handler: async (request, reply) => {
      await deactivateMember(app, callerOf(request), request.params.id);
      return reply.code(204).send();
    },
  });

  r.get('/invitations', {
    config: { access: 'members.invite' },
    schema: { tags, summary: 'List invitations', querystring: pageQuery, response: { 200: pageOf(invitationView) } },
    handler: async (request) => listInvitations(app, callerOf(request), request.query),
  });

  r.post('/invitations', {
    config: { access: 'members.invite' },
    schema: {
      tags,
      summary: 'Invite someone by email',
      body: invitationCreate,
      description: 'The acceptance link goes by e-mail to the invited address only; it is never returned to the inviter.',
      response: { 201: invitationView },
    },
    handler: async (request, reply) => reply.code(201).send(await inviteMember(app, callerOf(request), request.body)),
  });

  r.post('/invitations/:id/resend', {
    config: { access: 'members.invite', resource: 'invitation' },
    schema: {
      tags,
      summary: 'Send an open invitation again',
      description: 'A new link, valid for 7 days, goes to the invited address; the previous link stops working.',
      params: idParam,
      response: { 200: invitationView },
    },
    handler: async (request) => resendInvitation(app, callerOf(request), request.params.id),
  });

  r.delete('/invitations/:id', {
    config: { access: 'members.invite', resource: 'invitation' },
    schema: { tags, summary: 'Revoke a pending invitation', params: idParam },
    handler: async (request, reply) => {
      await revokeInvitation(app, callerOf(request), request.params.id);
      return reply.code(204).send();
    },
  });

  r.post('/auth/invitations/accept', {
    config: { access: 'public' },
    schema: {
      tags: ['auth'],
      summary: 'Accept an invitation with a new account and sign in',
      description:
        'For an e-mail that has no account yet. An existing account answers 409 sign_in_to_accept: sign in, then POST /api/v1/invitations/accept.',
      body: invitationAccept,
      response: { 200: sessionInfo },
    },
    handler: async (request, reply) => {
      const { session, info } = await acceptInvitation(app, request.body, clientOf(request));
      setSessionCookie(app, reply, session.token);
      return info;
    },
  });

  r.post('/invitations/accept', {
    config: { access: 'authenticated', sessionOnly: true },
    schema: {
      tags,
      summary: 'Accept an invitation to your signed-in account and continue in that workspace',
      body: invitationJoin,
      response: { 200: sessionInfo },
    },
    handler: async (request, reply) => {
      const { session, info } = await joinWithSession(app, callerOf(request), request.body.token, clientOf(request));
      setSessionCookie(app, reply, session.token);
      return info;
    },
  });
}
