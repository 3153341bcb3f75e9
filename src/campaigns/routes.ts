import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { callerOf } from '../auth/guard.ts';
import { pageOf, pageQuery } from '../http/pagination.ts';
import { createCampaign, getCampaign, listCampaigns, previewCampaign, sendCampaign, stopCampaign } from './campaigns.ts';
import { listExclusions } from './exclusions.ts';
import { createRepermission } from './repermission.ts';
import * as s from './schema.ts';
import { createSegment, getSegment, listSegments, updateSegment } from './segments.ts';
import { addSuppression, listEmailMessages, listSuppressions, recordEmailEvent } from './suppressions.ts';
import { createTemplate, getTemplate, listTemplates, updateTemplate } from './templates.ts';
import { idParam } from '../shared/fields.ts';

export function campaignRoutes(fastify: FastifyInstance, app: AppContext): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['campaigns'];

  r.get('/segments', {
    config: { access: 'campaigns.read' },
    schema: { tags, summary: 'Saved segments with their current size', response: { 200: z.object({ items: z.array(s.segmentView) }) } },
    handler: async (request) => listSegments(app, callerOf(request)),
  });
  r.post('/segments', {
    config: { access: 'campaigns.manage' },
    schema: { tags, summary: 'Save a segment (a filter over contacts or leads)', body: s.segmentInput, response: { 201: s.segmentView } },
    handler: async (request, reply) => reply.code(201).send(await createSegment(app, callerOf(request), request.body)),
  });
  r.get('/segments/:id', {
    config: { access: 'campaigns.read', resource: 'segment' },
    schema: { tags, summary: 'A segment', params: idParam, response: { 200: s.segmentView } },
    handler: async (request) => getSegment(app, callerOf(request), request.params.id),
  });
  r.patch('/segments/:id', {
    config: { access: 'campaigns.manage', resource: 'segment' },
    schema: {
      tags,
      summary: 'Rename a segment or change its filter',
      params: idParam,
      body: s.segmentPatch,
      response: { 200: s.segmentView },
    },
    handler: async (request) => updateSegment(app, callerOf(request), request.params.id, request.body),
  });

  r.get('/email-templates', {
    config: { access: 'campaigns.read' },
    schema: { tags, summary: 'Email templates', response: { 200: z.object({ items: z.array(s.templateView) }) } },
    handler: async (request) => listTemplates(app, callerOf(request)),
  });
  r.post('/email-templates', {
    config: { access: 'campaigns.manage' },
    schema: { tags, summary: 'Write an email template', body: s.templateInput, response: { 201: s.templateView } },
    handler: async (request, reply) => reply.code(201).send(await createTemplate(app, callerOf(request), request.body)),
  });
  r.get('/email-templates/:id', {
    config: { access: 'campaigns.read', resource: 'email_template' },
    schema: { tags, summary: 'An email template', params: idParam, response: { 200: s.templateView } },
    handler: async (request) => getTemplate(app, callerOf(request), request.params.id),
  });
  r.patch('/email-templates/:id', {
    config: { access: 'campaigns.manage', resource: 'email_template' },
    schema: { tags, summary: 'Edit an email template', params: idParam, body: s.templatePatch, response: { 200: s.templateView } },
    handler: async (request) => updateTemplate(app, callerOf(request), request.params.id, request.body),
  });

  r.get('/campaigns', {
    config: { access: 'campaigns.read' },
    schema: {
      tags,
      summary: 'Campaigns, newest first, with their progress',
      response: { 200: z.object({ items: z.array(s.campaignView) }) },
    },
    handler: async (request) => listCampaigns(app, callerOf(request)),
  });
  r.post('/campaigns', {
    config: { access: 'campaigns.manage' },
    schema: {
      tags,
      summary: 'Prepare a campaign: a template sent to a segment for one purpose',
      body: s.campaignInput,
      response: { 201: s.campaignView },
    },
    handler: async (request, reply) => reply.code(201).send(await createCampaign(app, callerOf(request), request.body)),
  });
  r.post('/repermission-campaigns', {
    config: { access: 'campaigns.manage' },
    schema: {
      tags,
      summary: 'Prepare a re-permission campaign for a purpose',
      body: s.repermissionInput,
      response: { 201: s.campaignView },
    },
    handler: async (request, reply) => reply.code(201).send(await createRepermission(app, callerOf(request), request.body)),
  });
  r.get('/campaigns/:id', {
    config: { access: 'campaigns.read', resource: 'campaign' },
    schema: { tags, summary: 'A campaign and its progress', params: idParam, response: { 200: s.campaignView } },
    handler: async (request) => getCampaign(app, callerOf(request), request.params.id),
  });
  r.get('/campaigns/:id/preview', {
    config: { access: 'campaigns.read', resource: 'campaign' },
    schema: {
      tags,
      summary: 'Who a send would reach now, and who the gate refuses by reason',
      params: idParam,
      response: { 200: s.campaignPreview },
    },
    handler: async (request) => previewCampaign(app, callerOf(request), request.params.id),
  });
  r.post('/campaigns/:id/send', {
    config: { access: 'campaigns.send', resource: 'campaign' },
    schema: {
      tags,
      summary: 'Send: the gate excludes people without a valid basis; a background job sends to the rest',
      params: idParam,
      response: { 202: s.campaignView },
    },
    handler: async (request, reply) => reply.code(202).send(await sendCampaign(app, callerOf(request), request.params.id)),
  });

  r.post('/campaigns/:id/stop', {
    config: { access: 'campaigns.send', resource: 'campaign' },
    schema: {
      tags,
      summary: 'Stop a send in progress (the batch being sent finishes; nothing after it goes out)',
      params: idParam,
      response: { 200: s.campaignView },
    },
    handler: async (request) => stopCampaign(app, callerOf(request), request.params.id),
  });
  r.get('/campaigns/:id/exclusions', {
    config: { access: 'campaigns.read', resource: 'campaign' },
    schema: {
      tags,
      summary: 'The people the campaign leaves out, with the reason: for a draft as a send would decide now, once started as recorded',
      params: idParam,
      querystring: s.exclusionQuery,
      response: { 200: pageOf(s.exclusionView) },
    },
    handler: async (request) => listExclusions(app, callerOf(request), request.params.id, request.query),
  });

  r.get('/suppressions', {
    config: { access: 'campaigns.read' },
    schema: {
      tags,
      summary: 'The suppression list (addresses no marketing email goes to)',
      querystring: pageQuery,
      response: { 200: pageOf(s.suppressionView) },
    },
    handler: async (request) => listSuppressions(app, callerOf(request), request.query),
  });
  r.post('/suppressions', {
    config: { access: 'suppressions.manage' },
    schema: {
      tags,
      summary: 'Suppress an address by hand (staff can only add: the person alone lifts a suppression, by subscribing again)',
      body: s.suppressionInput,
      response: { 201: z.object({ emailIndex: z.string() }) },
    },
    handler: async (request, reply) => reply.code(201).send(await addSuppression(app, callerOf(request), request.body)),
  });
  r.post('/email-events', {
    config: { access: 'suppressions.manage' },
    schema: {
      tags,
      summary: 'Post back a bounce or complaint from the mail provider (suppresses the address)',
      body: s.emailEventInput,
      response: { 201: z.object({ emailIndex: z.string(), reason: z.string() }) },
    },
    handler: async (request, reply) => reply.code(201).send(await recordEmailEvent(app, callerOf(request), request.body)),
  });
  r.get('/email-messages', {
    config: { access: 'campaigns.read' },
    schema: {
      tags,
      summary: 'The outbox: emails sent to people, newest first',
      querystring: pageQuery,
      response: { 200: pageOf(s.emailMessageView) },
    },
    handler: async (request) => listEmailMessages(app, callerOf(request), request.query),
  });
}
