import { sql, type Selectable } from 'kysely';
import PDFDocument from 'pdfkit';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { recordAudit } from '../audit/service.ts';
import { asCaller, type Caller } from '../auth/context.ts';
import { iso, isoRequired } from '../shared/dates.ts';
import { isoDate } from '../shared/fields.ts';
import { withTenant, type Tx } from '../db/tenant.ts';
import type { DpiasTable } from '../db/types-governance.ts';
import { conflict, notFound, unprocessable } from '../http/errors.ts';
import { dpoEmails } from './dpo.ts';

type Row = Selectable<DpiasTable>;

const risk = z.object({
  risk: z.string().trim().min(1).max(1000),
  likelihood: z.number().int().min(1).max(4).describe('1 negligible, 2 limited, 3 significant, 4 maximum'),
  severity: z.number().int().min(1).max(4).describe('1 negligible, 2 limited, 3 significant, 4 maximum'),
  mitigations: z
    .array(z.object({ measure: z.string().trim().min(1).max(1000), owner: z.string().trim().min(1).max(200) }))
    .max(20)
    .default([]),
});

export const dpiaInput = z.object({
  activityId: z.string().min(1).max(100).describe('The register activity: a purpose id, or workspace-members'),
  title: z.string().trim().min(1).max(300),
  description: z.string().trim().max(10000).default(''),
  necessity: z.string().trim().max(10000).default('').describe('Necessity and proportionality'),
  risks: z.array(risk).max(50).default([]),
  residualRisk: z.enum(['low', 'medium', 'high']).nullable().default(null),
  reviewOn: isoDate,
});
export const dpiaPatch = z.object({
  title: z.string().trim().min(1).max(300).optional(),
  description: z.string().trim().max(10000).optional(),
  necessity: z.string().trim().max(10000).optional(),
  risks: z.array(risk).max(50).optional(),
  residualRisk: z.enum(['low', 'medium', 'high']).nullable().optional(),
  dpoOpinion: z.string().trim().min(1).max(10000).optional(),
  reviewOn: isoDate.optional(),
});

export const dpiaView = z.object({
  id: z.string().uuid(),
  activityId: z.string(),
  title: z.string(),
  description: z.string(),
  necessity: z.string(),
  risks: z.array(risk.extend({ score: z.number(), level: z.enum(['low', 'medium', 'high']) })),
  residualRisk: z.enum(['low', 'medium', 'high']).nullable(),
  dpoOpinion: z.string().nullable(),
  signedOffBy: z.string().nullable(),
  signedOffAt: z.string().nullable(),
  reviewOn: z.string(),
  reviewDue: z.boolean(),
  updatedAt: z.string(),
});

/** The likelihood × severity matrix: 1-3 low, 4-8 medium, 9-16 high. */
export function riskLevel(likelihood: number, severity: number): 'low' | 'medium' | 'high' {
  const score = likelihood * severity;
  return score >= 9 ? 'high' : score >= 4 ? 'medium' : 'low';
}

const day = (value: Date) => new Date(value).toISOString().slice(0, 10);

function toView(row: Row): z.infer<typeof dpiaView> {
  return {
    id: row.id,
    activityId: row.activity_id,
    title: row.title,
    description: row.description,
    necessity: row.necessity,
    risks: row.risks.map((r) => ({ ...r, score: r.likelihood * r.severity, level: riskLevel(r.likelihood, r.severity) })),
    residualRisk: row.residual_risk,
    dpoOpinion: row.dpo_opinion,
    signedOffBy: row.signed_off_by,
    signedOffAt: iso(row.signed_off_at),
    reviewOn: day(row.review_on),
    reviewDue: day(row.review_on) <= new Date().toISOString().slice(0, 10),
    updatedAt: isoRequired(row.updated_at),
  };
}

async function find(tx: Tx, tenantId: string, id: string): Promise<Row> {
  const row = await tx.selectFrom('dpias').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('DPIA');
  return row;
}

export function listDpias(app: AppContext, caller: Caller) {
  return asCaller(app, caller, async (tx) => ({
    items: (
      await tx.selectFrom('dpias').selectAll().where('tenant_id', '=', caller.auth.tenantId).orderBy('review_on').orderBy('id').execute()
    ).map(toView),
  }));
}

export function getDpia(app: AppContext, caller: Caller, id: string) {
  return asCaller(app, caller, async (tx) => toView(await find(tx, caller.auth.tenantId, id)));
}

export function createDpia(app: AppContext, caller: Caller, input: z.infer<typeof dpiaInput>) {
  return asCaller(app, caller, async (tx, audit) => {
    if (input.activityId !== 'workspace-members') {
      const purpose = z.string().uuid().safeParse(input.activityId).success
        ? await tx
            .selectFrom('purposes')
            .select('id')
            .where('tenant_id', '=', caller.auth.tenantId)
            .where('id', '=', input.activityId)
            .executeTakeFirst()
        : undefined;
      if (!purpose) throw unprocessable('activityId must name a purpose of the register, or workspace-members.', { field: 'activityId' });
    }
    const row = await tx
      .insertInto('dpias')
      .values({
        tenant_id: caller.auth.tenantId,
        activity_id: input.activityId,
        title: input.title,
        description: input.description,
        necessity: input.necessity,
        risks: JSON.stringify(input.risks),
        residual_risk: input.residualRisk,
        review_on: input.reviewOn,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit({ action: 'dpia.create', objectType: 'dpia', objectId: row.id, fields: Object.keys(input) });
    return toView(row);
  });
}

/** Editing a signed-off assessment voids its sign-off: it must be signed again. */
export function updateDpia(app: AppContext, caller: Caller, id: string, patch: z.infer<typeof dpiaPatch>) {
  return asCaller(app, caller, async (tx, audit) => {
    await find(tx, caller.auth.tenantId, id);
    const substantive = Object.keys(patch).some((key) => key !== 'dpoOpinion' && key !== 'reviewOn');
    const row = await tx
      .updateTable('dpias')
      .set({
        ...(patch.title !== undefined ? { title: patch.title } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.necessity !== undefined ? { necessity: patch.necessity } : {}),
        ...(patch.risks !== undefined ? { risks: JSON.stringify(patch.risks) } : {}),
        ...(patch.residualRisk !== undefined ? { residual_risk: patch.residualRisk } : {}),
        ...(patch.dpoOpinion !== undefined ? { dpo_opinion: patch.dpoOpinion } : {}),
        ...(patch.reviewOn !== undefined ? { review_on: patch.reviewOn } : {}),
        ...(substantive ? { signed_off_by: null, signed_off_at: null } : {}),
        updated_at: new Date(),
      })
      .where('tenant_id', '=', caller.auth.tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit({ action: 'dpia.update', objectType: 'dpia', objectId: id, fields: Object.keys(patch) });
    return toView(row);
  });
}

export function signOffDpia(app: AppContext, caller: Caller, id: string) {
  return asCaller(app, caller, async (tx, audit) => {
    const current = await find(tx, caller.auth.tenantId, id);
    if (!current.dpo_opinion) throw conflict("The DPO's opinion (Art. 35(2)) must be recorded before sign-off.", { field: 'dpoOpinion' });
    if (!current.residual_risk) throw conflict('State the residual risk before sign-off.', { field: 'residualRisk' });
    const row = await tx
      .updateTable('dpias')
      .set({ signed_off_by: caller.auth.memberId, signed_off_at: new Date(), updated_at: new Date() })
      .where('tenant_id', '=', caller.auth.tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit({ action: 'dpia.sign_off', objectType: 'dpia', objectId: id, fields: [`residualRisk:${row.residual_risk}`] });
    return toView(row);
  });
}

export function dpiaPdf(view: z.infer<typeof dpiaView>, workspace: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `DPIA: ${view.title}`, Author: workspace } });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.fontSize(18).text('Data protection impact assessment');
    doc.fontSize(12).text(view.title);
    doc.fontSize(9).text(`${workspace}. Activity: ${view.activityId}. Next review: ${view.reviewOn}.`);
    const section = (heading: string, body: string) => {
      doc.moveDown().fontSize(13).text(heading);
      doc.fontSize(10).text(body || '-');
    };
    section('Description of the processing', view.description);
    section('Necessity and proportionality', view.necessity);
    doc.moveDown().fontSize(13).text('Risks (likelihood x severity)');
    for (const item of view.risks) {
      doc.fontSize(10).text(`${item.risk}: likelihood ${item.likelihood}, severity ${item.severity}, score ${item.score} (${item.level})`);
      for (const m of item.mitigations) doc.fontSize(9).text(`   Mitigation: ${m.measure} (owner: ${m.owner})`);
    }
    section('Residual risk', view.residualRisk ?? 'not stated');
    section('Opinion of the data protection officer', view.dpoOpinion ?? 'not recorded');
    section('Sign-off', view.signedOffAt ? `Signed off ${view.signedOffAt} by member ${view.signedOffBy}` : 'not signed off');
    doc.end();
  });
}

/** Scheduled: reminds the DPO (administrators when there is none) of assessments due for review. */
export async function remindDpiaReviews(app: AppContext): Promise<number> {
  const tenants = await app.db.kysely.selectFrom('tenants').select('id').execute();
  let sent = 0;
  for (const { id: tenantId } of tenants) {
    const due = await withTenant(app.db, tenantId, async (tx) => {
      const today = new Date().toISOString().slice(0, 10);
      const rows = await tx
        .selectFrom('dpias')
        .select(['id', 'title', 'review_on'])
        .where('tenant_id', '=', tenantId)
        .where(sql<boolean>`review_on <= ${today}::date`)
        .where((eb) => eb.or([eb('last_reminded_at', 'is', null), eb('last_reminded_at', '<', new Date(Date.now() - 7 * 86_400_000))]))
        .execute();
      if (rows.length === 0) return null;
      await tx
        .updateTable('dpias')
        .set({ last_reminded_at: new Date() })
        .where('tenant_id', '=', tenantId)
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
        .execute();
      await recordAudit(
        tx,
        tenantId,
        { actorType: 'system', actorId: 'job:dpia.review-reminders' },
        { action: 'dpia.remind', objectType: 'dpia', objectId: null, fields: [`due:${rows.length}`] },
      );
      return { rows, to: await dpoEmails(tx, tenantId) };
    });
    if (!due) continue;
    for (const to of due.to) {
      await app.mailer.send({
        to,
        subject: `${due.rows.length} impact assessment(s) due for review`,
        text: due.rows.map((r) => `- ${r.title}: review due ${day(r.review_on)}`).join('\n') + '\n',
      });
      sent += 1;
    }
  }
  return sent;
}
