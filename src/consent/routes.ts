import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { callerOf } from '../auth/guard.ts';
import { PERSON_RECORDS_PATHS } from './paths.ts';
import { proofPdf } from './proof-pdf.ts';
import { assessLegitimateInterest, createPurpose, getPurpose, listPurposes, updatePurpose } from './purposes.ts';
import * as s from './schema.ts';
import { recordSoftOptIn, removeSoftOptIn } from './soft-opt-in.ts';
import {
  getPersonConsents,
  liftRestriction,
  proofOfConsent,
  recordConsentsInBulk,
  recordPersonConsent,
  restrictPerson,
} from './service.ts';
import { idParam } from '../shared/fields.ts';

export function consentRoutes(fastify: FastifyInstance, app: AppContext): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['purposes and consent'];

  r.get('/purposes', {
    config: { access: 'purposes.read' },
    schema: {
      tags,
      summary: 'Processing purposes and their legal basis',
      querystring: s.purposeListQuery,
      response: { 200: z.object({ items: z.array(s.purposeView) }) },
    },
    handler: async (request) => listPurposes(app, callerOf(request), request.query),
  });
  r.post('/purposes', {
    config: { access: 'purposes.manage' },
    schema: { tags, summary: 'Declare a processing purpose (created as draft)', body: s.purposeInput, response: { 201: s.purposeView } },
    handler: async (request, reply) => reply.code(201).send(await createPurpose(app, callerOf(request), request.body)),
  });
  r.get('/purposes/:id', {
    config: { access: 'purposes.read', resource: 'purpose' },
    schema: { tags, summary: 'A purpose with its balancing test in force', params: idParam, response: { 200: s.purposeView } },
    handler: async (request) => getPurpose(app, callerOf(request), request.params.id),
  });
  r.patch('/purposes/:id', {
    config: { access: 'purposes.manage', resource: 'purpose' },
    schema: {
      tags,
      summary: 'Edit, activate or retire a purpose',
      params: idParam,
      body: s.purposePatch,
      response: { 200: s.purposeView },
    },
    handler: async (request) => updatePurpose(app, callerOf(request), request.params.id, request.body),
  });
  r.post('/purposes/:id/balancing-tests', {
    config: { access: 'purposes.manage', resource: 'purpose' },
    schema: {
      tags,
      summary: 'Record a legitimate-interest balancing test (a failed one deactivates the purpose)',
      params: idParam,
      body: s.liaInput,
      response: { 201: s.purposeView },
    },
    handler: async (request, reply) =>
      reply.code(201).send(await assessLegitimateInterest(app, callerOf(request), request.params.id, request.body)),
  });

  r.post('/consent-events', {
    config: { access: 'crm.write' },
    schema: {
      tags,
      summary: 'Record up to 1,000 consent events at once (all or nothing)',
      body: s.bulkConsentInput,
      response: { 201: z.object({ recorded: z.number() }) },
    },
    handler: async (request, reply) => reply.code(201).send(await recordConsentsInBulk(app, callerOf(request), request.body)),
  });

  for (const { type, path } of PERSON_RECORDS_PATHS) {
    const personTags = [path.split('/').pop()!];
    r.get(`${path}/:id/consents`, {
      config: { access: 'crm.read', resource: type },
      schema: {
        tags: personTags,
        summary: `Consent state per purpose and the full ledger of a ${type}`,
        params: idParam,
        response: { 200: s.personConsentsView },
      },
      handler: async (request) => getPersonConsents(app, callerOf(request), type, request.params.id),
    });
    r.post(`${path}/:id/consents`, {
      config: { access: 'crm.write', resource: type },
      schema: {
        tags: personTags,
        summary: `Record a consent, withdrawal or objection of a ${type} (e.g. given verbally)`,
        params: idParam,
        body: s.consentEventInput,
        response: { 201: s.personConsentsView },
      },
      handler: async (request, reply) =>
        reply.code(201).send(await recordPersonConsent(app, callerOf(request), type, request.params.id, request.body)),
    });
    r.get(`${path}/:id/consents/proof`, {
      config: { access: 'crm.read', resource: type },
      schema: {
        tags: personTags,
        summary: `Proof of consent of a ${type}, as JSON or PDF`,
        params: idParam,
        querystring: z.object({ format: z.enum(['json', 'pdf']).default('json') }),
      },
      handler: async (request, reply) => {
        const proof = await proofOfConsent(app, callerOf(request), type, request.params.id);
        const file = `proof-of-consent-${request.params.id}`;
        if (request.query.format === 'pdf') {
          return reply
            .type('application/pdf')
            .header('content-disposition', `attachment; filename="${file}.pdf"`)
            .send(await proofPdf(proof));
        }
        return reply.header('content-disposition', `attachment; filename="${file}.json"`).send(proof);
      },
    });
    r.put(`${path}/:id/soft-opt-in`, {
      config: { access: 'crm.write', resource: type },
      schema: {
        tags: personTags,
        summary: `Record the soft opt-in facts of a ${type}: an existing customer who may receive marketing of similar products until they refuse (ePrivacy Art. 13(2), PECR reg. 22(3))`,
        params: idParam,
        body: s.softOptInInput,
        response: { 200: s.softOptInView },
      },
      handler: async (request) => recordSoftOptIn(app, callerOf(request), type, request.params.id, request.body),
    });
    r.delete(`${path}/:id/soft-opt-in`, {
      config: { access: 'crm.write', resource: type },
      schema: { tags: personTags, summary: `Remove the soft opt-in facts of a ${type}`, params: idParam },
      handler: async (request, reply) => {
        await removeSoftOptIn(app, callerOf(request), type, request.params.id);
        return reply.code(204).send();
      },
    });
    r.put(`${path}/:id/restriction`, {
      config: { access: 'crm.write', resource: type },
      schema: {
        tags: personTags,
        summary: `Restrict processing of a ${type} (Art. 18): kept, not processed`,
        params: idParam,
        body: s.restrictionInput,
        response: { 200: s.personConsentsView },
      },
      handler: async (request) => restrictPerson(app, callerOf(request), type, request.params.id, request.body.reason),
    });
    r.delete(`${path}/:id/restriction`, {
      config: { access: 'crm.write', resource: type },
      schema: { tags: personTags, summary: `Lift the restriction of a ${type}`, params: idParam },
      handler: async (request, reply) => {
        await liftRestriction(app, callerOf(request), type, request.params.id);
        return reply.code(204).send();
      },
    });
  }
}
