import type { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { asCaller, type Caller } from '../auth/context.ts';
import type { Tx } from '../db/tenant.ts';
import { unprocessable } from '../http/errors.ts';
import { iso } from '../shared/dates.ts';
import { DEFAULT_NOTICE, missingPlaceholders, PLACEHOLDERS, unknownPlaceholders } from './compose.ts';
import type { noticeTemplateInput, noticeTemplateView } from './schema.ts';

/** The workspace's notice, or the default one until it saves its own. */
export async function noticeTemplate(tx: Tx, tenantId: string) {
  const row = await tx.selectFrom('notice_templates').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
  return row ?? { ...DEFAULT_NOTICE, auto_send: true, updated_at: null, builtIn: true as const };
}

function toView(row: Awaited<ReturnType<typeof noticeTemplate>>): z.infer<typeof noticeTemplateView> {
  return {
    subject: row.subject,
    body: row.body,
    autoSend: row.auto_send,
    builtIn: 'builtIn' in row,
    placeholders: PLACEHOLDERS.map((p) => ({ key: p.key, required: p.required, fills: p.fills })),
    updatedAt: iso(row.updated_at),
  };
}

export function getNoticeTemplate(app: AppContext, caller: Caller) {
  return asCaller(app, caller, async (tx) => toView(await noticeTemplate(tx, caller.auth.tenantId)));
}

/** Saves the workspace's notice; refused while it leaves out anything Art. 14(1)-(2) requires, or names a placeholder that does not exist. */
export function saveNoticeTemplate(app: AppContext, caller: Caller, input: z.infer<typeof noticeTemplateInput>) {
  const missing = missingPlaceholders(input);
  const unknown = unknownPlaceholders(input);
  if (missing.length > 0 || unknown.length > 0) {
    const parts = [
      missing.length > 0 ? `it leaves out ${missing.map((key) => `{{${key}}}`).join(', ')}, which Art. 14(1)-(2) requires` : '',
      unknown.length > 0 ? `${unknown.map((key) => `{{${key}}}`).join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not a placeholder` : '',
    ].filter(Boolean);
    throw unprocessable(`The notice cannot be saved: ${parts.join('; ')}.`, { field: 'body', missing, unknown });
  }
  const tenantId = caller.auth.tenantId;
  return asCaller(app, caller, async (tx, audit) => {
    const values = {
      subject: input.subject,
      body: input.body,
      auto_send: input.autoSend ?? true,
      updated_by: caller.auth.memberId,
      updated_at: new Date(),
    };
    await tx
      .insertInto('notice_templates')
      .values({ tenant_id: tenantId, ...values })
      .onConflict((c) => c.column('tenant_id').doUpdateSet(values))
      .execute();
    await audit({ action: 'notice_template.update', objectType: 'notice_template', fields: Object.keys(input) });
    return toView(await noticeTemplate(tx, tenantId));
  });
}
