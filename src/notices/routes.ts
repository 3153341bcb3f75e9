import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { callerOf } from '../auth/guard.ts';
import { pageOf } from '../http/pagination.ts';
import { idParam } from '../shared/fields.ts';
import { listNotices } from './queue.ts';
import * as s from './schema.ts';
import { sendNotices } from './send.ts';
import { listNoticeSources, removeNoticeSource, saveNoticeSource } from './sources.ts';
import { getNoticeTemplate, saveNoticeTemplate } from './template.ts';

export function noticeRoutes(fastify: FastifyInstance, app: AppContext): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['transparency (Art. 14)'];
  r.get('/notices', {
    config: { access: 'dsr.read' },
    schema: {
      tags,
      summary: 'People owed an Art. 14 notice (their data did not come from them): due, overdue, sent or exempt',
      querystring: s.noticeListQuery,
      response: { 200: pageOf(s.noticeView) },
    },
    handler: async (request) => listNotices(app, callerOf(request), request.query),
  });
  r.post('/notices/send', {
    config: { access: 'dsr.manage' },
    schema: {
      tags,
      summary: 'Send notices now by e-mail: those named, or every one owed; each is recorded with the text sent',
      body: s.noticeSendInput,
      response: { 200: s.noticeSendResult },
    },
    handler: async (request) => sendNotices(app, callerOf(request), request.body),
  });
  r.get('/notices/template', {
    config: { access: 'governance.read' },
    schema: { tags, summary: "The workspace's notice and its placeholders", response: { 200: s.noticeTemplateView } },
    handler: async (request) => getNoticeTemplate(app, callerOf(request)),
  });
  r.put('/notices/template', {
    config: { access: 'governance.manage' },
    schema: {
      tags,
      summary: "Save the workspace's notice (every placeholder Art. 14(1)-(2) requires must be kept)",
      body: s.noticeTemplateInput,
      response: { 200: s.noticeTemplateView },
    },
    handler: async (request) => saveNoticeTemplate(app, callerOf(request), request.body),
  });
  r.get('/notice-sources', {
    config: { access: 'governance.read' },
    schema: {
      tags,
      summary: 'The sources people are obtained from, as notices name them, with any Art. 14(5) exemption',
      response: { 200: z.object({ items: z.array(s.noticeSourceView) }) },
    },
    handler: async (request) => listNoticeSources(app, callerOf(request)),
  });
  r.post('/notice-sources', {
    config: { access: 'governance.manage' },
    schema: {
      tags,
      summary: 'Describe a source, or record an Art. 14(5) exemption for it with its justification',
      body: s.noticeSourceInput,
      response: { 200: s.noticeSourceView },
    },
    handler: async (request) => saveNoticeSource(app, callerOf(request), request.body),
  });
  r.delete('/notice-sources/:id', {
    config: { access: 'governance.manage', resource: 'notice_source' },
    schema: { tags, summary: 'Remove the description of a source (and its exemption)', params: idParam },
    handler: async (request, reply) => {
      await removeNoticeSource(app, callerOf(request), request.params.id);
      return reply.code(204).send();
    },
  });
}
