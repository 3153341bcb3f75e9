import { sql, type Selectable } from 'kysely';
import type { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { asCaller, type Caller } from '../auth/context.ts';
import { isoRequired } from '../shared/dates.ts';
import type { Tx } from '../db/tenant.ts';
import type { FormConsent, FormField, FormsTable, FormVersionsTable } from '../db/types-forms.ts';
import { badRequest, notFound, unprocessable } from '../http/errors.ts';
import type { formInput, formPatch, formView } from './schema.ts';
import { textHash } from '../consent/ledger.ts';

type FormRow = Selectable<FormsTable>;
type VersionRow = Selectable<FormVersionsTable>;
type FormView = z.infer<typeof formView>;

/** The public id of a form names its workspace too, so the public endpoints need no lookup table. */
export function formPublicId(tenantId: string, formId: string): string {
  return Buffer.concat([Buffer.from(tenantId.replaceAll('-', ''), 'hex'), Buffer.from(formId.replaceAll('-', ''), 'hex')]).toString(
    'base64url',
  );
}

export function parseFormPublicId(publicId: string): { tenantId: string; formId: string } | null {
  if (!/^[A-Za-z0-9_-]{43}$/.test(publicId)) return null;
  const bytes = Buffer.from(publicId, 'base64url');
  if (bytes.length !== 32) return null;
  const uuid = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { tenantId: uuid(bytes.subarray(0, 16).toString('hex')), formId: uuid(bytes.subarray(16).toString('hex')) };
}

interface Content {
  title: string;
  intro: string;
  fields: FormField[];
  consents: Array<{ purposeId: string; text: string }>;
  policyVersion: string;
  policyUrl: string;
  successMessage: string;
}

/** Email is always asked and required: it is how a submission finds the person again. */
function withEmail(fields: FormField[]): FormField[] {
  const keys = new Set<string>();
  for (const field of fields) {
    if (keys.has(field.key)) throw badRequest(`Field ${field.key} appears twice.`, { field: 'fields' });
    keys.add(field.key);
  }
  const email = fields.find((field) => field.key === 'email');
  return email
    ? fields.map((field) => (field.key === 'email' ? { ...field, required: true } : field))
    : [{ key: 'email', label: 'Email', required: true }, ...fields];
}

async function storeConsents(tx: Tx, tenantId: string, consents: Content['consents'], requireActive: boolean): Promise<FormConsent[]> {
  const seen = new Set<string>();
  const out: FormConsent[] = [];
  for (const [index, consent] of consents.entries()) {
    if (seen.has(consent.purposeId)) throw badRequest('A purpose may appear once per form.', { field: `consents.${index}.purposeId` });
    seen.add(consent.purposeId);
    const purpose = await tx
      .selectFrom('purposes')
      .select(['legal_basis', 'status'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', consent.purposeId)
      .executeTakeFirst();
    if (!purpose) throw unprocessable('purposeId does not name a purpose of this workspace.', { field: `consents.${index}.purposeId` });
    if (purpose.legal_basis !== 'consent')
      throw unprocessable('A form checkbox asks for consent: the purpose must be based on consent.', {
        field: `consents.${index}.purposeId`,
      });
    if (requireActive && purpose.status !== 'active')
      throw unprocessable('A live form may only ask for active purposes.', { field: `consents.${index}.purposeId` });
    const hash = textHash(consent.text);
    await tx
      .insertInto('consent_texts')
      .values({ tenant_id: tenantId, hash, text: consent.text })
      .onConflict((c) => c.columns(['tenant_id', 'hash']).doNothing())
      .execute();
    out.push({ purposeId: consent.purposeId, textHash: hash });
  }
  return out;
}

async function assertOwner(tx: Tx, tenantId: string, ownerId: string): Promise<void> {
  const owner = await tx
    .selectFrom('members')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', ownerId)
    .where('status', '=', 'active')
    .executeTakeFirst();
  if (!owner) throw unprocessable('ownerId does not name an active member.', { field: 'ownerId' });
}

export async function loadForm(tx: Tx, tenantId: string, formId: string): Promise<{ form: FormRow; version: VersionRow }> {
  const form = await tx.selectFrom('forms').selectAll().where('tenant_id', '=', tenantId).where('id', '=', formId).executeTakeFirst();
  if (!form) throw notFound('Form');
  const version = await tx
    .selectFrom('form_versions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('form_id', '=', formId)
    .where('version', '=', form.current_version)
    .executeTakeFirstOrThrow();
  return { form, version };
}

/** The consent checkboxes of a version, with their purpose names and texts. */
export async function consentsOfVersion(tx: Tx, tenantId: string, version: VersionRow) {
  const consents = version.consents as unknown as FormConsent[];
  if (consents.length === 0) return [];
  const purposes = new Map(
    (
      await tx
        .selectFrom('purposes')
        .select(['id', 'name', 'status'])
        .where('tenant_id', '=', tenantId)
        .where(
          'id',
          'in',
          consents.map((c) => c.purposeId),
        )
        .execute()
    ).map((row) => [row.id, row]),
  );
  const texts = new Map(
    (
      await tx
        .selectFrom('consent_texts')
        .select(['hash', 'text'])
        .where('tenant_id', '=', tenantId)
        .where(
          'hash',
          'in',
          consents.map((c) => c.textHash),
        )
        .execute()
    ).map((row) => [row.hash, row.text]),
  );
  return consents.map((consent) => ({
    purposeId: consent.purposeId,
    purposeName: purposes.get(consent.purposeId)?.name ?? '',
    purposeActive: purposes.get(consent.purposeId)?.status === 'active',
    text: texts.get(consent.textHash) ?? '',
    textHash: consent.textHash,
  }));
}

async function toView(app: AppContext, tx: Tx, form: FormRow, version: VersionRow): Promise<FormView> {
  const publicId = formPublicId(form.tenant_id, form.id);
  const counted = await tx
    .selectFrom('form_submissions')
    .select(sql<string>`count(*)`.as('n'))
    .where('tenant_id', '=', form.tenant_id)
    .where('form_id', '=', form.id)
    .executeTakeFirstOrThrow();
  return {
    id: form.id,
    name: form.name,
    status: form.status,
    creates: form.creates,
    doubleOptIn: form.double_opt_in,
    confirmWithinDays: form.confirm_within_days,
    ownerId: form.owner_id,
    version: form.current_version,
    publicUrl: `${app.config.publicUrl}/f/${publicId}`,
    submitUrl: `${app.config.publicUrl}/f/${publicId}`,
    title: version.title,
    intro: version.intro,
    fields: version.fields as unknown as FormField[],
    consents: (await consentsOfVersion(tx, form.tenant_id, version)).map(({ purposeActive: _active, ...consent }) => consent),
    policyVersion: version.policy_version,
    policyUrl: version.policy_url,
    successMessage: version.success_message,
    submissions: Number(counted.n),
    createdAt: isoRequired(form.created_at),
    updatedAt: isoRequired(form.updated_at),
  };
}

async function writeVersion(
  tx: Tx,
  tenantId: string,
  formId: string,
  version: number,
  content: Content,
  requireActive: boolean,
  replace: boolean,
): Promise<void> {
  const values = {
    title: content.title,
    intro: content.intro,
    fields: JSON.stringify(withEmail(content.fields)),
    consents: JSON.stringify(await storeConsents(tx, tenantId, content.consents, requireActive)),
    policy_version: content.policyVersion,
    policy_url: content.policyUrl,
    success_message: content.successMessage,
  };
  if (replace) {
    await tx
      .updateTable('form_versions')
      .set(values)
      .where('tenant_id', '=', tenantId)
      .where('form_id', '=', formId)
      .where('version', '=', version)
      .execute();
  } else {
    await tx
      .insertInto('form_versions')
      .values({ tenant_id: tenantId, form_id: formId, version, ...values })
      .execute();
  }
}

export function createForm(app: AppContext, caller: Caller, input: z.infer<typeof formInput>) {
  return asCaller(app, caller, async (tx, audit) => {
    const tenantId = caller.auth.tenantId;
    const ownerId = input.ownerId ?? caller.auth.memberId;
    await assertOwner(tx, tenantId, ownerId);
    const form = await tx
      .insertInto('forms')
      .values({
        tenant_id: tenantId,
        name: input.name,
        creates: input.creates,
        double_opt_in: input.doubleOptIn,
        confirm_within_days: input.confirmWithinDays,
        owner_id: ownerId,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await writeVersion(tx, tenantId, form.id, 1, input, false, false);
    await audit({ action: 'form.create', objectType: 'form', objectId: form.id, fields: Object.keys(input) });
    const loaded = await loadForm(tx, tenantId, form.id);
    return toView(app, tx, loaded.form, loaded.version);
  });
}

/**
 * Edits a form. What a person sees is frozen once it has been shown: editing the content of a
 * live form, or of a version that already has submissions, creates a new version.
 */
export function updateForm(app: AppContext, caller: Caller, id: string, patch: z.infer<typeof formPatch>) {
  return asCaller(app, caller, async (tx, audit) => {
    const tenantId = caller.auth.tenantId;
    const { form, version } = await loadForm(tx, tenantId, id);
    if (patch.ownerId) await assertOwner(tx, tenantId, patch.ownerId);
    const status = patch.status ?? form.status;
    const contentKeys = ['title', 'intro', 'fields', 'consents', 'policyVersion', 'policyUrl', 'successMessage'] as const;
    const contentChanged = contentKeys.some((key) => patch[key] !== undefined);
    let versionNumber = form.current_version;
    const current = await consentsOfVersion(tx, tenantId, version);
    const content: Content = {
      title: patch.title ?? version.title,
      intro: patch.intro ?? version.intro,
      fields: patch.fields ?? (version.fields as unknown as FormField[]),
      consents: patch.consents ?? current.map((consent) => ({ purposeId: consent.purposeId, text: consent.text })),
      policyVersion: patch.policyVersion ?? version.policy_version,
      policyUrl: patch.policyUrl ?? version.policy_url,
      successMessage: patch.successMessage ?? version.success_message,
    };
    if (contentChanged) {
      const used = await tx
        .selectFrom('form_submissions')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('form_id', '=', id)
        .where('form_version', '=', form.current_version)
        .executeTakeFirst();
      const frozen = form.status === 'live' || Boolean(used);
      if (frozen) versionNumber += 1;
      await writeVersion(tx, tenantId, id, versionNumber, content, status === 'live', !frozen);
    } else if (status === 'live' && form.status !== 'live') {
      const inactive = current.find((consent) => !consent.purposeActive);
      if (inactive)
        throw unprocessable(`Activate the purpose "${inactive.purposeName}" before putting the form live.`, { field: 'status' });
    }
    await tx
      .updateTable('forms')
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.creates !== undefined ? { creates: patch.creates } : {}),
        ...(patch.doubleOptIn !== undefined ? { double_opt_in: patch.doubleOptIn } : {}),
        ...(patch.confirmWithinDays !== undefined ? { confirm_within_days: patch.confirmWithinDays } : {}),
        ...(patch.ownerId !== undefined ? { owner_id: patch.ownerId } : {}),
        status,
        current_version: versionNumber,
        updated_at: new Date(),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
    await audit({
      action: 'form.update',
      objectType: 'form',
      objectId: id,
      fields: [...Object.keys(patch), ...(versionNumber !== form.current_version ? ['version'] : [])],
    });
    const loaded = await loadForm(tx, tenantId, id);
    return toView(app, tx, loaded.form, loaded.version);
  });
}

export function getForm(app: AppContext, caller: Caller, id: string) {
  return asCaller(app, caller, async (tx) => {
    const { form, version } = await loadForm(tx, caller.auth.tenantId, id);
    return toView(app, tx, form, version);
  });
}

export function listForms(app: AppContext, caller: Caller) {
  return asCaller(app, caller, async (tx) => {
    const forms = await tx
      .selectFrom('forms')
      .select('id')
      .where('tenant_id', '=', caller.auth.tenantId)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
    const items = [];
    for (const { id } of forms) {
      const { form, version } = await loadForm(tx, caller.auth.tenantId, id);
      items.push(await toView(app, tx, form, version));
    }
    return { items };
  });
}
