import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { asCaller, type Caller } from '../auth/context.ts';
import { callerOf } from '../auth/guard.ts';
import { iso, isoRequired } from '../shared/dates.ts';
import { assertPersonVisible } from '../crm/people.ts';
import { scopeOf } from '../crm/visibility.ts';
import { conflict, notFound } from '../http/errors.ts';
import { enqueue } from '../jobs/queue.ts';
import { ACTIONS_BY_TARGET, CONSENT_HISTORY_MIN_DAYS, ensureDefaultRules, matches, type RuleRow } from './service.ts';
import { idParam } from '../shared/fields.ts';

const TARGETS = ['contact', 'lead', 'opportunity', 'consent_history', 'email_message', 'portal_link', 'dsr_request'] as const;

/** The combination of target, action and age a rule may have; the message says what would fit. */
function ruleProblem(target: RuleRow['target'], action: RuleRow['action'], afterDays: number): { field: string; message: string } | null {
  const allowed = ACTIONS_BY_TARGET[target];
  if (!allowed.includes(action)) return { field: 'action', message: `a ${target} rule can only ${allowed.join(' or ')}` };
  if (target === 'consent_history' && afterDays < CONSENT_HISTORY_MIN_DAYS)
    return { field: 'afterDays', message: `consent history is proof of consent and is kept at least ${CONSENT_HISTORY_MIN_DAYS} days` };
  if (target === 'dsr_request' && afterDays < CONSENT_HISTORY_MIN_DAYS)
    return {
      field: 'afterDays',
      message: `a closed request is the evidence that it was answered and is kept at least ${CONSENT_HISTORY_MIN_DAYS} days`,
    };
  return null;
}

const ruleInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    target: z.enum(TARGETS),
    afterDays: z.number().int().min(1).max(36500).describe('People: days without activity; emails and portal links: days since creation'),
    action: z.enum(['delete', 'anonymise']),
    enabled: z.boolean().default(true),
  })
  .superRefine((rule, ctx) => {
    const problem = ruleProblem(rule.target, rule.action, rule.afterDays);
    if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem.message, path: [problem.field] });
  });
const rulePatch = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  afterDays: z.number().int().min(1).max(36500).optional(),
  action: z.enum(['delete', 'anonymise']).optional(),
  enabled: z.boolean().optional(),
});
const ruleView = z.object({
  id: z.string().uuid(),
  name: z.string(),
  target: z.enum(TARGETS),
  afterDays: z.number(),
  action: z.enum(['delete', 'anonymise']),
  enabled: z.boolean(),
  builtin: z.boolean(),
  lastRun: z
    .object({
      startedAt: z.string(),
      finishedAt: z.string().nullable(),
      state: z.enum(['running', 'finished', 'interrupted']),
      applied: z.number().describe('By this run'),
      appliedInAll: z.number().describe('By this run and the interrupted runs it continues'),
      resumes: z.string().uuid().nullable().describe('The interrupted run this one continues'),
    })
    .nullable(),
});
const holdInput = z.object({
  recordType: z.enum(['contact', 'lead']),
  recordId: z.string().uuid(),
  reason: z.string().trim().min(1).max(1000),
});
const holdView = z.object({
  id: z.string().uuid(),
  recordType: z.enum(['contact', 'lead']),
  recordId: z.string().uuid(),
  reason: z.string(),
  placedBy: z.string(),
  placedAt: z.string(),
  releasedAt: z.string().nullable(),
});

async function ruleToView(
  tx: Parameters<Parameters<typeof asCaller>[2]>[0],
  tenantId: string,
  rule: RuleRow,
): Promise<z.infer<typeof ruleView>> {
  const run = await tx
    .selectFrom('retention_runs')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('rule_id', '=', rule.id)
    .orderBy('started_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return {
    id: rule.id,
    name: rule.name,
    target: rule.target,
    afterDays: rule.after_days,
    action: rule.action,
    enabled: rule.enabled,
    builtin: rule.builtin_key !== null,
    lastRun: run
      ? {
          startedAt: isoRequired(run.started_at),
          finishedAt: iso(run.finished_at),
          state: run.finished_at ? 'finished' : run.interrupted_at ? 'interrupted' : 'running',
          applied: run.applied,
          appliedInAll: run.applied_before + run.applied,
          resumes: run.resumes,
        }
      : null,
  };
}

function findRule(caller: Caller, tx: Parameters<Parameters<typeof asCaller>[2]>[0], id: string) {
  return tx
    .selectFrom('retention_rules')
    .selectAll()
    .where('tenant_id', '=', caller.auth.tenantId)
    .where('id', '=', id)
    .executeTakeFirst()
    .then((rule) => {
      if (!rule) throw notFound('Retention rule');
      return rule;
    });
}

export function retentionRoutes(fastify: FastifyInstance, app: AppContext): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['retention'];

  r.get('/retention-rules', {
    config: { access: 'retention.manage' },
    schema: {
      tags,
      summary: 'Retention rules (the shipped defaults included) with their last run',
      response: { 200: z.object({ items: z.array(ruleView) }) },
    },
    handler: async (request) => {
      const caller = callerOf(request);
      return asCaller(app, caller, async (tx) => {
        await ensureDefaultRules(tx, caller.auth.tenantId);
        const rules = await tx
          .selectFrom('retention_rules')
          .selectAll()
          .where('tenant_id', '=', caller.auth.tenantId)
          .orderBy('created_at')
          .orderBy('id')
          .execute();
        const items = [];
        for (const rule of rules) items.push(await ruleToView(tx, caller.auth.tenantId, rule));
        return { items };
      });
    },
  });
  r.post('/retention-rules', {
    config: { access: 'retention.manage' },
    schema: { tags, summary: 'Add a retention rule', body: ruleInput, response: { 201: ruleView } },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      const body = request.body;
      return reply.code(201).send(
        await asCaller(app, caller, async (tx, audit) => {
          const rule = await tx
            .insertInto('retention_rules')
            .values({
              tenant_id: caller.auth.tenantId,
              name: body.name,
              target: body.target,
              after_days: body.afterDays,
              action: body.action,
              enabled: body.enabled,
            })
            .returningAll()
            .executeTakeFirstOrThrow();
          await audit({ action: 'retention_rule.create', objectType: 'retention_rule', objectId: rule.id, fields: Object.keys(body) });
          return ruleToView(tx, caller.auth.tenantId, rule);
        }),
      );
    },
  });
  r.patch('/retention-rules/:id', {
    config: { access: 'retention.manage', resource: 'retention_rule' },
    schema: { tags, summary: 'Change, enable or disable a rule', params: idParam, body: rulePatch, response: { 200: ruleView } },
    handler: async (request) => {
      const caller = callerOf(request);
      const patch = request.body;
      return asCaller(app, caller, async (tx, audit) => {
        const current = await findRule(caller, tx, request.params.id);
        const problem = ruleProblem(current.target, patch.action ?? current.action, patch.afterDays ?? current.after_days);
        if (problem) throw conflict(`This rule cannot be changed so: ${problem.message}.`, { field: problem.field });
        const rule = await tx
          .updateTable('retention_rules')
          .set({
            ...(patch.name !== undefined ? { name: patch.name } : {}),
            ...(patch.afterDays !== undefined ? { after_days: patch.afterDays } : {}),
            ...(patch.action !== undefined ? { action: patch.action } : {}),
            ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
            updated_at: new Date(),
          })
          .where('tenant_id', '=', caller.auth.tenantId)
          .where('id', '=', current.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        await audit({ action: 'retention_rule.update', objectType: 'retention_rule', objectId: rule.id, fields: Object.keys(patch) });
        return ruleToView(tx, caller.auth.tenantId, rule);
      });
    },
  });
  r.get('/retention-rules/:id/preview', {
    config: { access: 'retention.manage', resource: 'retention_rule' },
    schema: {
      tags,
      summary: 'Dry run: what the rule would take now, and since when each record has been idle',
      params: idParam,
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(5000).default(500) }),
      response: { 200: z.object({ items: z.array(z.object({ type: z.string(), id: z.string(), since: z.string() })), more: z.boolean() }) },
    },
    handler: async (request) => {
      const caller = callerOf(request);
      return asCaller(app, caller, async (tx) => {
        const rule = await findRule(caller, tx, request.params.id);
        const found = await matches(tx, caller.auth.tenantId, rule, new Date(), request.query.limit + 1);
        return { items: found.slice(0, request.query.limit), more: found.length > request.query.limit };
      });
    },
  });
  r.post('/retention-rules/:id/run', {
    config: { access: 'retention.manage', resource: 'retention_rule' },
    schema: {
      tags,
      summary: 'Apply the rule now, in the background (progress in lastRun)',
      params: idParam,
      response: { 202: z.object({ queued: z.boolean() }) },
    },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      await asCaller(app, caller, async (tx, audit) => {
        const rule = await findRule(caller, tx, request.params.id);
        await enqueue(tx, {
          queue: 'retention.rule',
          tenantId: caller.auth.tenantId,
          payload: { ruleId: rule.id },
          singletonKey: `retention:${rule.id}`,
        });
        await audit({ action: 'retention_rule.run', objectType: 'retention_rule', objectId: rule.id, fields: [] });
      });
      return reply.code(202).send({ queued: true });
    },
  });

  r.get('/legal-holds', {
    config: { access: 'retention.manage' },
    schema: {
      tags,
      summary: 'Records under legal hold (released holds included)',
      response: { 200: z.object({ items: z.array(holdView) }) },
    },
    handler: async (request) => {
      const caller = callerOf(request);
      return asCaller(app, caller, async (tx) => ({
        items: (
          await tx
            .selectFrom('legal_holds')
            .selectAll()
            .where('tenant_id', '=', caller.auth.tenantId)
            .orderBy('placed_at', 'desc')
            .orderBy('id')
            .limit(1000)
            .execute()
        ).map((hold) => ({
          id: hold.id,
          recordType: hold.record_type,
          recordId: hold.record_id,
          reason: hold.reason,
          placedBy: hold.placed_by,
          placedAt: isoRequired(hold.placed_at),
          releasedAt: iso(hold.released_at),
        })),
      }));
    },
  });
  r.post('/legal-holds', {
    config: { access: 'retention.manage' },
    schema: {
      tags,
      summary: 'Place a legal hold: no retention rule touches the record until it is released',
      body: holdInput,
      response: { 201: holdView },
    },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      const body = request.body;
      return reply.code(201).send(
        await asCaller(app, caller, async (tx, audit) => {
          await assertPersonVisible(tx, caller.auth.tenantId, await scopeOf(tx, caller.auth), body.recordType, body.recordId);
          const active = await tx
            .selectFrom('legal_holds')
            .select('id')
            .where('tenant_id', '=', caller.auth.tenantId)
            .where('record_id', '=', body.recordId)
            .where('released_at', 'is', null)
            .executeTakeFirst();
          if (active) throw conflict('This record is already under legal hold.', { holdId: active.id });
          const hold = await tx
            .insertInto('legal_holds')
            .values({
              tenant_id: caller.auth.tenantId,
              record_type: body.recordType,
              record_id: body.recordId,
              reason: body.reason,
              placed_by: caller.auth.memberId,
            })
            .returningAll()
            .executeTakeFirstOrThrow();
          await audit({ action: 'legal_hold.place', objectType: body.recordType, objectId: body.recordId, fields: ['reason'] });
          return {
            id: hold.id,
            recordType: hold.record_type,
            recordId: hold.record_id,
            reason: hold.reason,
            placedBy: hold.placed_by,
            placedAt: isoRequired(hold.placed_at),
            releasedAt: null,
          };
        }),
      );
    },
  });
  r.delete('/legal-holds/:id', {
    config: { access: 'retention.manage', resource: 'legal_hold' },
    schema: { tags, summary: 'Release a legal hold', params: idParam },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      await asCaller(app, caller, async (tx, audit) => {
        const released = await tx
          .updateTable('legal_holds')
          .set({ released_at: new Date(), released_by: caller.auth.memberId })
          .where('tenant_id', '=', caller.auth.tenantId)
          .where('id', '=', request.params.id)
          .where('released_at', 'is', null)
          .returning(['record_type', 'record_id'])
          .executeTakeFirst();
        if (!released) throw notFound('Active legal hold');
        await audit({ action: 'legal_hold.release', objectType: released.record_type, objectId: released.record_id, fields: [] });
      });
      return reply.code(204).send();
    },
  });
}
