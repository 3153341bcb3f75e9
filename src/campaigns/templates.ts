import type { Selectable } from 'kysely';
import type { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { asCaller, type Caller } from '../auth/context.ts';
import { isoRequired } from '../shared/dates.ts';
import type { PersonDetails } from '../crm/people.ts';
import type { Tx } from '../db/tenant.ts';
import type { EmailTemplatesTable } from '../db/types-campaigns.ts';
import { notFound, unprocessable } from '../http/errors.ts';
import type { templateInput, templatePatch } from './schema.ts';

type TemplateRow = Selectable<EmailTemplatesTable>;

const toView = (row: TemplateRow) => ({
  id: row.id,
  name: row.name,
  subject: row.subject,
  body: row.body,
  createdAt: isoRequired(row.created_at),
  updatedAt: isoRequired(row.updated_at),
});

const PLACEHOLDER = /\{\{\s*([a-zA-Z]+)\s*\}\}/g;
const KNOWN = new Set(['firstName', 'lastName', 'email']);

function assertPlaceholders(input: { subject?: string | undefined; body?: string | undefined }): void {
  for (const [field, value] of Object.entries(input)) {
    if (typeof value !== 'string') continue;
    for (const match of value.matchAll(PLACEHOLDER)) {
      if (!KNOWN.has(match[1]!))
        throw unprocessable(`Unknown placeholder {{${match[1]}}}; use {{firstName}}, {{lastName}} or {{email}}.`, { field });
    }
  }
}

/** Merges a person into a template; a missing first name reads naturally ("Hello there"). */
export function render(
  template: Pick<TemplateRow, 'subject' | 'body'>,
  person: Pick<PersonDetails, 'firstName' | 'lastName'>,
  email: string,
) {
  const values: Record<string, string> = { firstName: person.firstName ?? 'there', lastName: person.lastName ?? '', email };
  const merge = (text: string) => text.replace(PLACEHOLDER, (_all, key: string) => values[key] ?? '');
  return {
    subject: merge(template.subject)
      .replace(/[\r\n]+/g, ' ')
      .trim(),
    body: merge(template.body),
  };
}

export async function findTemplate(tx: Tx, tenantId: string, id: string, field?: string): Promise<TemplateRow> {
  const row = await tx.selectFrom('email_templates').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw field ? unprocessable(`${field} does not name an email template.`, { field }) : notFound('Email template');
  return row;
}

export function listTemplates(app: AppContext, caller: Caller) {
  return asCaller(app, caller, async (tx) => ({
    items: (
      await tx
        .selectFrom('email_templates')
        .selectAll()
        .where('tenant_id', '=', caller.auth.tenantId)
        .orderBy('name')
        .orderBy('id')
        .execute()
    ).map(toView),
  }));
}

export function getTemplate(app: AppContext, caller: Caller, id: string) {
  return asCaller(app, caller, async (tx) => toView(await findTemplate(tx, caller.auth.tenantId, id)));
}

export function createTemplate(app: AppContext, caller: Caller, input: z.infer<typeof templateInput>) {
  assertPlaceholders(input);
  return asCaller(app, caller, async (tx, audit) => {
    const row = await tx
      .insertInto('email_templates')
      .values({ tenant_id: caller.auth.tenantId, ...input })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit({ action: 'email_template.create', objectType: 'email_template', objectId: row.id, fields: Object.keys(input) });
    return toView(row);
  });
}

export function updateTemplate(app: AppContext, caller: Caller, id: string, patch: z.infer<typeof templatePatch>) {
  assertPlaceholders(patch);
  return asCaller(app, caller, async (tx, audit) => {
    await findTemplate(tx, caller.auth.tenantId, id);
    const row = await tx
      .updateTable('email_templates')
      .set({ ...patch, updated_at: new Date() })
      .where('tenant_id', '=', caller.auth.tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit({ action: 'email_template.update', objectType: 'email_template', objectId: id, fields: Object.keys(patch) });
    return toView(row);
  });
}
