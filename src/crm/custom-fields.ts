import type { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import type { Caller } from '../auth/context.ts';
import type { Tx } from '../db/tenant.ts';
import type { CrmRecordType } from '../db/types.ts';
import { conflict, isUniqueViolation, notFound, unprocessable } from '../http/errors.ts';
import { crmWork } from './context.ts';
import { isoRequired } from '../shared/dates.ts';
import type { customFieldInput, customFieldPatch, customFieldView } from './schema.ts';

export interface CustomFieldDefinition {
  key: string;
  label: string;
  type: 'text' | 'number' | 'date' | 'boolean' | 'single_select' | 'multi_select';
  options: string[];
  personal: boolean;
}

export async function definitionsOf(tx: Tx, tenantId: string, object: CrmRecordType): Promise<CustomFieldDefinition[]> {
  return tx
    .selectFrom('custom_fields')
    .select(['key', 'label', 'type', 'options', 'personal'])
    .where('tenant_id', '=', tenantId)
    .where('object', '=', object)
    .where('archived_at', 'is', null)
    .orderBy('position')
    .orderBy('key')
    .execute();
}

function checkValue(definition: CustomFieldDefinition, value: unknown): string | null {
  switch (definition.type) {
    case 'text':
      return typeof value === 'string' && value.length <= 2000 ? null : 'must be text of at most 2000 characters';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'must be a number';
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value))
        ? null
        : 'must be a date YYYY-MM-DD';
    case 'single_select':
      return typeof value === 'string' && definition.options.includes(value) ? null : `must be one of: ${definition.options.join(', ')}`;
    case 'multi_select':
      return Array.isArray(value) && value.every((item) => typeof item === 'string' && definition.options.includes(item))
        ? null
        : `must be a list of: ${definition.options.join(', ')}`;
  }
}

/**
 * Checks custom values against the workspace's definitions and splits them into the plain and
 * the personal ones (stored encrypted). `null` removes a value. Unknown keys are refused.
 */
export function splitCustomValues(
  definitions: CustomFieldDefinition[],
  input: Record<string, unknown>,
  current: { plain: Record<string, unknown>; personal: Record<string, unknown> } = { plain: {}, personal: {} },
) {
  const problems: Record<string, string> = {};
  const plain = { ...current.plain };
  const personal = { ...current.personal };
  for (const [key, value] of Object.entries(input)) {
    const definition = definitions.find((candidate) => candidate.key === key);
    if (!definition) {
      problems[key] = 'is not a custom field of this object';
      continue;
    }
    const target = definition.personal ? personal : plain;
    if (value === null) {
      delete target[key];
      continue;
    }
    const problem = checkValue(definition, value);
    if (problem) problems[key] = problem;
    else target[key] = value;
  }
  if (Object.keys(problems).length > 0) {
    throw unprocessable(
      `Invalid custom fields: ${Object.entries(problems)
        .map(([key, problem]) => `${key} ${problem}`)
        .join('; ')}`,
      {
        field: 'custom',
        problems,
      },
    );
  }
  return { plain, personal };
}

type View = z.infer<typeof customFieldView>;

function view(row: {
  id: string;
  object: CrmRecordType;
  key: string;
  label: string;
  type: CustomFieldDefinition['type'];
  options: string[];
  personal: boolean;
  position: number;
  created_at: Date;
}): View {
  return {
    id: row.id,
    object: row.object,
    key: row.key,
    label: row.label,
    type: row.type,
    options: row.options,
    personal: row.personal,
    position: row.position,
    createdAt: isoRequired(row.created_at),
  };
}

export function listCustomFields(app: AppContext, caller: Caller, object: CrmRecordType | undefined) {
  return crmWork(app, caller, async ({ tx, tenantId }) => {
    let q = tx.selectFrom('custom_fields').selectAll().where('tenant_id', '=', tenantId).where('archived_at', 'is', null);
    if (object) q = q.where('object', '=', object);
    return { items: (await q.orderBy('object').orderBy('position').orderBy('key').execute()).map(view) };
  });
}

function checkOptions(type: CustomFieldDefinition['type'], options: string[] | undefined) {
  const isSelect = type === 'single_select' || type === 'multi_select';
  if (isSelect && (!options || options.length === 0)) throw unprocessable('A select field needs options.', { field: 'options' });
  if (!isSelect && options && options.length > 0) throw unprocessable('Only select fields have options.', { field: 'options' });
  if (options && new Set(options).size !== options.length) throw unprocessable('Options must be unique.', { field: 'options' });
}

export async function createCustomField(app: AppContext, caller: Caller, input: z.infer<typeof customFieldInput>) {
  checkOptions(input.type, input.options);
  if (input.personal && !['contact', 'lead'].includes(input.object)) {
    throw unprocessable('Only contacts and leads hold personal data; accounts and opportunities are company data.', { field: 'personal' });
  }
  try {
    return await crmWork(app, caller, async ({ tx, tenantId, audit }) => {
      const row = await tx
        .insertInto('custom_fields')
        .values({
          tenant_id: tenantId,
          object: input.object,
          key: input.key,
          label: input.label,
          type: input.type,
          options: input.options ?? [],
          personal: input.personal ?? false,
          position: input.position ?? 0,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await audit({ action: 'custom_field.create', objectType: 'custom_field', objectId: row.id, fields: ['key', 'type', 'personal'] });
      return view(row);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`The ${input.object} already has a custom field "${input.key}".`, { field: 'key' });
    throw error;
  }
}

export function updateCustomField(app: AppContext, caller: Caller, id: string, patch: z.infer<typeof customFieldPatch>) {
  return crmWork(app, caller, async ({ tx, tenantId, audit }) => {
    const current = await tx
      .selectFrom('custom_fields')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('archived_at', 'is', null)
      .executeTakeFirst();
    if (!current) throw notFound('Custom field');
    if (patch.options) {
      checkOptions(current.type, patch.options);
      // Removing an option would leave stored values that no longer validate.
      const removed = current.options.filter((option) => !patch.options!.includes(option));
      if (removed.length > 0)
        throw unprocessable(`Options cannot be removed (${removed.join(', ')}); add new ones or archive the field.`, {
          field: 'options',
          removed,
        });
    }
    const row = await tx
      .updateTable('custom_fields')
      .set({
        ...(patch.label ? { label: patch.label } : {}),
        ...(patch.options ? { options: patch.options } : {}),
        ...(patch.position !== undefined ? { position: patch.position } : {}),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit({ action: 'custom_field.update', objectType: 'custom_field', objectId: id, fields: Object.keys(patch) });
    return view(row);
  });
}

/** Archived fields disappear from forms and validation; values already stored are kept. */
export function archiveCustomField(app: AppContext, caller: Caller, id: string) {
  return crmWork(app, caller, async ({ tx, tenantId, audit }) => {
    const result = await tx
      .updateTable('custom_fields')
      .set({ archived_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('archived_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw notFound('Custom field');
    await audit({ action: 'custom_field.archive', objectType: 'custom_field', objectId: id });
  });
}
