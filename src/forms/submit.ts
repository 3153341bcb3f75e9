import crypto from 'node:crypto';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { recordAudit, type AuditOrigin } from '../audit/service.ts';
import { Sealer } from '../crypto/sealer.ts';
import { sealContact } from '../crm/contacts.ts';
import { sealLead } from '../crm/leads.ts';
import { nameTokens, normaliseEmail, phoneKeys } from '../shared/normalise.ts';
import { email as emailSchema, phone as phoneSchema } from '../shared/fields.ts';
import { withTenant, type Tx } from '../db/tenant.ts';
import type { PersonType } from '../db/types-consent.ts';
import type { FormField } from '../db/types-forms.ts';
import { AppError, notFound } from '../http/errors.ts';
import { hitPublicLimits, withinPublicLimit } from '../http/public-limits.ts';
import { queueToPerson } from '../mail/delivery.ts';
import { consentsOfVersion, loadForm, parseFormPublicId } from './service.ts';
import { currentState, recordConsentEvent } from '../consent/ledger.ts';
import type { PersonRef } from '../crm/people.ts';
import { GPC_SOURCE, recordSaleSharingChoice } from '../consent/sale-sharing.ts';
import { signLink, verifyLink } from '../consent/links.ts';
import { findPurpose } from '../consent/purposes.ts';
import { liftSuppressionByOptIn } from '../consent/suppression.ts';
import { emailTerm, hasAnyTerm } from '../crm/terms.ts';
import { lockIdentityKeys } from '../crm/addresses.ts';

export interface Visitor {
  ip: string;
  userAgent: string | null;
  requestId: string;
  /** The browser sent a Global Privacy Control signal (Sec-GPC: 1). */
  gpc?: boolean;
}

export interface Submission {
  values: Record<string, unknown>;
  consents: string[];
  /** The hidden field people leave empty and form-filling bots fill in. */
  honeypot: string;
  /** The embedding page reported navigator.globalPrivacyControl. */
  gpc?: boolean;
}

export interface SubmissionResult {
  confirmationRequired: boolean;
  message: string;
  visitorToken: string | null;
}

/** Spam limits: per address per form, and per form overall. */
const PER_ADDRESS = { max: 10, windowSeconds: 600 };
const PER_FORM = { max: 2000, windowSeconds: 3600 };
const CONFIRMATIONS_PER_RECIPIENT = { max: 3, windowSeconds: 86_400 };

const FIELD_RULES: Record<string, z.ZodType<string>> = {
  email: emailSchema,
  firstName: z.string().trim().min(1).max(100),
  lastName: z.string().trim().min(1).max(100),
  phone: phoneSchema,
  jobTitle: z.string().trim().min(1).max(200),
  company: z.string().trim().min(1).max(300),
};

function validationError(issues: Array<{ path: string; message: string }>): AppError {
  return new AppError(
    400,
    'validation_error',
    `Invalid submission: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
    { issues },
  );
}

/** Checks the submitted values against the version's fields; every problem is reported at once. */
function validateValues(fields: FormField[], submission: Submission, offered: Set<string>): Record<string, string> {
  const issues: Array<{ path: string; message: string }> = [];
  const clean: Record<string, string> = {};
  const known = new Set(fields.map((field) => field.key));
  for (const key of Object.keys(submission.values)) if (!known.has(key)) issues.push({ path: key, message: 'is not a field of this form' });
  for (const field of fields) {
    const raw = submission.values[field.key];
    const empty = raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '');
    if (empty) {
      if (field.required) issues.push({ path: field.key, message: 'is required' });
      continue;
    }
    if (typeof raw !== 'string') {
      issues.push({ path: field.key, message: 'must be text' });
      continue;
    }
    const parsed = FIELD_RULES[field.key]!.safeParse(raw);
    if (parsed.success) clean[field.key] = parsed.data;
    else issues.push({ path: field.key, message: parsed.error.issues[0]?.message ?? 'is invalid' });
  }
  for (const purposeId of submission.consents)
    if (!offered.has(purposeId)) issues.push({ path: 'consents', message: `${purposeId} is not a consent this form asks for` });
  if (issues.length > 0) throw validationError(issues);
  return clean;
}

/**
 * The person with this address: a contact first, else a lead. The address stays locked until
 * the transaction ends, so two submissions of one form by the same person make one record.
 */
async function findByEmail(tx: Tx, tenantId: string, emailIndex: string): Promise<PersonRef | null> {
  await lockIdentityKeys(tx, tenantId, [emailIndex]);
  const contact = await tx
    .selectFrom('contacts')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where(hasAnyTerm('contacts', tenantId, [emailTerm(emailIndex)]))
    .executeTakeFirst();
  if (contact) return { type: 'contact', id: contact.id };
  const lead = await tx
    .selectFrom('leads')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('email_index', '=', emailIndex)
    .where('status', '!=', 'converted')
    .executeTakeFirst();
  return lead ? { type: 'lead', id: lead.id } : null;
}

function provenance(formId: string, version: number) {
  return { source_type: 'form' as const, source_ref: `form:${formId}@v${version}`, collected_at: new Date(), collected_by: null };
}

async function createPerson(
  app: AppContext,
  tx: Tx,
  tenantId: string,
  type: PersonType,
  ownerId: string,
  values: Record<string, string>,
  formId: string,
  version: number,
): Promise<PersonRef> {
  const id = crypto.randomUUID();
  const sealer = new Sealer(app, tx, tenantId);
  const work = { sealer };
  const person = {
    firstName: values.firstName ?? null,
    lastName: values.lastName ?? null,
    jobTitle: values.jobTitle ?? null,
    customPersonal: {},
  };
  if (type === 'contact') {
    const sealed = await sealContact(work, id, { ...person, emails: [values.email!], phones: values.phone ? [values.phone] : [] });
    await tx
      .insertInto('contacts')
      .values({ tenant_id: tenantId, id, ...sealed, owner_id: ownerId, ...provenance(formId, version) })
      .execute();
  } else {
    const sealed = await sealLead(work, id, { ...person, email: values.email!, phone: values.phone ?? null });
    await tx
      .insertInto('leads')
      .values({
        tenant_id: tenantId,
        id,
        ...sealed,
        company_name: values.company ?? null,
        source: 'web form',
        owner_id: ownerId,
        ...provenance(formId, version),
      })
      .execute();
  }
  return { type, id };
}

/**
 * Fills in what the record lacks. A form proves nothing about who typed an address, so an
 * unverified submission never overwrites stored values (the person corrects those through the
 * privacy portal, after proving the address is theirs).
 */
async function updatePerson(
  app: AppContext,
  tx: Tx,
  tenantId: string,
  person: PersonRef,
  values: Record<string, string>,
): Promise<string[]> {
  const sealer = new Sealer(app, tx, tenantId);
  const table = person.type === 'contact' ? 'contacts' : 'leads';
  const current = await tx
    .selectFrom(table)
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', person.id)
    .executeTakeFirstOrThrow();
  const stored = current as unknown as Record<string, unknown>;
  const set: Record<string, unknown> = {};
  const changed: string[] = [];
  const columns = [
    ['firstName', 'first_name'],
    ['lastName', 'last_name'],
    ['jobTitle', 'job_title'],
    ...(person.type === 'lead' ? [['phone', 'phone']] : []),
  ] as const;
  for (const [key, column] of columns) {
    if (values[key] === undefined || stored[`${column}_enc`] !== null) continue;
    set[`${column}_enc`] = await sealer.seal(person.id, `${table}.${column}`, values[key]);
    if (key === 'phone') set.phone_index = (await sealer.indexAll('phone', phoneKeys([values[key]!])))[0] ?? null;
    changed.push(key);
  }
  if (person.type === 'contact' && values.phone !== undefined) {
    const phones = (await sealer.open<string[]>('contacts.phones', stored.phones_enc as string | null)) ?? [];
    if (!phones.includes(values.phone)) {
      set.phones_enc = await sealer.seal(person.id, 'contacts.phones', [...phones, values.phone]);
      set.phone_index = await sealer.indexAll('phone', phoneKeys([...phones, values.phone]));
      changed.push('phone');
    }
  }
  if (person.type === 'lead' && values.company !== undefined && stored.company_name === null) {
    set.company_name = values.company;
    changed.push('company');
  }
  if (changed.includes('firstName') || changed.includes('lastName')) {
    const first = values.firstName ?? (await sealer.open<string>(`${table}.first_name`, stored.first_name_enc as string | null));
    const last = values.lastName ?? (await sealer.open<string>(`${table}.last_name`, stored.last_name_enc as string | null));
    set.name_index = await sealer.indexAll('name', nameTokens(first, last));
  }
  if (changed.length > 0) {
    await tx
      .updateTable(table)
      .set({ ...set, updated_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', person.id)
      .execute();
  }
  return changed;
}

function subjectOrigin(person: PersonRef, visitor: Visitor): AuditOrigin {
  return { actorType: 'data_subject', actorId: person.id, ip: visitor.ip, userAgent: visitor.userAgent, requestId: visitor.requestId };
}

/**
 * A public form submission: creates or updates the person (matched by email blind index),
 * records provenance and one consent event per ticked box, and with double opt-in sends the
 * confirmation link. Invalid input is refused before anything is written.
 */
export async function submitForm(app: AppContext, publicId: string, submission: Submission, visitor: Visitor): Promise<SubmissionResult> {
  const ids = parseFormPublicId(publicId);
  if (!ids) throw notFound('Form');
  const { tenantId, formId } = ids;
  await hitPublicLimits(app.db, [
    { key: `form:${formId}:${visitor.ip}`, ...PER_ADDRESS },
    { key: `form:${formId}`, ...PER_FORM },
  ]);
  const outcome = await withTenant(app.db, tenantId, async (tx) => {
    const { form, version } = await loadForm(tx, tenantId, formId).catch(() => {
      throw notFound('Form');
    });
    if (form.status !== 'live') throw notFound('Form');
    const offered = await consentsOfVersion(tx, tenantId, version);
    const values = validateValues(
      version.fields as unknown as FormField[],
      submission,
      new Set(offered.map((consent) => consent.purposeId)),
    );
    if (submission.honeypot.trim() !== '') {
      // A bot learns nothing from the answer: it looks like a real submission's.
      return {
        spam: true as const,
        message: version.success_message,
        confirmationRequired: form.double_opt_in && submission.consents.length > 0,
        creates: form.creates,
      };
    }

    const emailIndex = await new Sealer(app, tx, tenantId).index('email', normaliseEmail(values.email!));
    const existing = await findByEmail(tx, tenantId, emailIndex);
    const person = existing ?? (await createPerson(app, tx, tenantId, form.creates, form.owner_id, values, formId, version.version));
    const changed = existing ? await updatePerson(app, tx, tenantId, existing, values) : Object.keys(values);

    const doubleOptIn = form.double_opt_in;
    const awaiting: string[] = [];
    for (const purposeId of [...new Set(submission.consents)]) {
      const consent = offered.find((c) => c.purposeId === purposeId)!;
      const purpose = await findPurpose(tx, tenantId, purposeId);
      // A consent already in force is not put back to "pending" by filling the form again.
      if ((await currentState(tx, tenantId, person.id, purposeId)).state === 'granted') continue;
      await recordConsentEvent(app, tx, tenantId, {
        person,
        purpose,
        kind: 'given',
        method: 'form',
        requiresConfirmation: doubleOptIn,
        source: `${app.config.publicUrl}/f/${publicId}`,
        ip: visitor.ip,
        userAgent: visitor.userAgent,
        form: { id: formId, version: version.version },
        policyVersion: version.policy_version,
        text: consent.text,
        actor: { type: 'data_subject', id: person.id },
      });
      awaiting.push(purposeId);
    }
    // A Global Privacy Control signal is the person's opt-out of sale and sharing (Cal. Code Regs. tit. 11, 7025(c)).
    const gpcRecorded =
      visitor.gpc || submission.gpc
        ? await recordSaleSharingChoice(app, tx, tenantId, {
            person,
            optedOut: true,
            method: 'form',
            source: GPC_SOURCE,
            ip: visitor.ip,
            userAgent: visitor.userAgent,
            actor: { type: 'data_subject', id: person.id },
          })
        : false;
    const confirmBy = doubleOptIn && awaiting.length > 0 ? new Date(Date.now() + form.confirm_within_days * 86_400_000) : null;
    const saved = await tx
      .insertInto('form_submissions')
      .values({
        tenant_id: tenantId,
        form_id: formId,
        form_version: version.version,
        person_type: person.type,
        person_id: person.id,
        outcome: existing ? 'updated' : 'created',
        purpose_ids: awaiting,
        confirm_by: confirmBy,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(tx, tenantId, subjectOrigin(person, visitor), {
      action: 'form.submit',
      objectType: person.type,
      objectId: person.id,
      fields: [...changed, ...awaiting.map((id) => `consent:${id}`), ...(gpcRecorded ? ['sale_sharing:opted_out'] : [])],
    });
    const workspace = await tx.selectFrom('tenants').select('name').where('id', '=', tenantId).executeTakeFirstOrThrow();
    return {
      spam: false as const,
      person,
      submissionId: saved.id,
      confirmBy,
      email: values.email!,
      emailIndex,
      message: version.success_message,
      workspace: workspace.name,
      title: version.title,
      purposes: offered.filter((c) => awaiting.includes(c.purposeId)),
    };
  });
  if (outcome.spam) {
    const decoy = signLink(app.keys, 'visitor', [tenantId, outcome.creates, crypto.randomUUID()]);
    return { confirmationRequired: outcome.confirmationRequired, message: outcome.message, visitorToken: decoy };
  }

  // However often a form is filled in with someone's address, they get a few confirmation
  // e-mails a day at most: a form is not a way to flood a stranger's mailbox. The submission is
  // recorded and the answer is the same; only the e-mail is not sent again.
  const mayMail =
    outcome.confirmBy !== null &&
    (await withinPublicLimit(app.db, { key: `confirm-mail:${outcome.emailIndex}`, ...CONFIRMATIONS_PER_RECIPIENT }));
  if (outcome.confirmBy && mayMail) {
    const token = signLink(app.keys, 'confirm', [tenantId, outcome.submissionId], outcome.confirmBy);
    const link = `${app.config.publicUrl}/f/confirm/${token}`;
    await withTenant(app.db, tenantId, (tx) =>
      queueToPerson(app, tx, tenantId, {
        personId: outcome.person.id,
        kind: 'confirmation',
        personalLinks: [link],
        mail: {
          to: outcome.email,
          subject: `Please confirm: ${outcome.title}`,
          text:
            `You asked ${outcome.workspace} to keep you informed:\n` +
            outcome.purposes.map((p) => `- ${p.purposeName}: ${p.text}`).join('\n') +
            `\n\nConfirm by following this link before ${outcome.confirmBy!.toISOString().slice(0, 10)}:\n${link}\n\n` +
            'If you did not ask for this, ignore this email: nothing will be sent to you.',
        },
      }),
    );
  }
  return {
    confirmationRequired: Boolean(outcome.confirmBy),
    message: outcome.message,
    visitorToken: signLink(app.keys, 'visitor', [tenantId, outcome.person.type, outcome.person.id]),
  };
}

export type ConfirmationOutcome =
  { status: 'confirmed'; purposes: string[]; liftedSuppressions: number } | { status: 'invalid' | 'expired' | 'used' };

/** Reads a confirmation link without using it (the page asks the person to press a button). */
export function checkConfirmation(app: AppContext, token: string): ConfirmationOutcome | null {
  const check = verifyLink(app.keys, 'confirm', token, 2);
  return check.ok ? null : { status: check.reason };
}

/** Double opt-in: the signed link confirms the pending consents of one submission, once. */
export async function confirmSubmission(app: AppContext, token: string, visitor: Visitor): Promise<ConfirmationOutcome> {
  const check = verifyLink(app.keys, 'confirm', token, 2);
  if (!check.ok) return { status: check.reason };
  const [tenantId, submissionId] = check.values as [string, string];
  return withTenant(app.db, tenantId, async (tx) => {
    const submission = await tx
      .selectFrom('form_submissions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', submissionId)
      .forUpdate()
      .executeTakeFirst();
    if (!submission) return { status: 'invalid' as const };
    if (submission.confirmed_at) return { status: 'used' as const };
    if (submission.expired_at || (submission.confirm_by && new Date(submission.confirm_by) < new Date()))
      return { status: 'expired' as const };
    const person: PersonRef = { type: submission.person_type, id: submission.person_id };
    const confirmed: string[] = [];
    for (const purposeId of submission.purpose_ids) {
      if ((await currentState(tx, tenantId, person.id, purposeId)).state !== 'pending') continue;
      const purpose = await findPurpose(tx, tenantId, purposeId);
      await recordConsentEvent(app, tx, tenantId, {
        person,
        purpose,
        kind: 'confirmed',
        method: 'email_link',
        source: 'double opt-in confirmation link',
        ip: visitor.ip,
        userAgent: visitor.userAgent,
        form: { id: submission.form_id, version: submission.form_version },
        actor: { type: 'data_subject', id: person.id },
      });
      confirmed.push(purpose.name);
    }
    await tx
      .updateTable('form_submissions')
      .set({ confirmed_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', submissionId)
      .execute();
    // Confirming from their own mailbox is the person's own new opt-in: it alone lifts a suppression.
    const liftedSuppressions = confirmed.length > 0 ? await liftSuppressionByOptIn(tx, tenantId, person) : 0;
    await recordAudit(tx, tenantId, subjectOrigin(person, visitor), {
      action: 'consent.confirm',
      objectType: person.type,
      objectId: person.id,
      fields: [...submission.purpose_ids.map((id) => `consent:${id}`), ...(liftedSuppressions > 0 ? ['suppression:lifted'] : [])],
    });
    return { status: 'confirmed' as const, purposes: confirmed, liftedSuppressions };
  });
}

/**
 * Scheduled: consents given through double opt-in and not confirmed in time expire. Works in
 * batches per workspace; a crash leaves the rest for the next run.
 */
export async function expireUnconfirmed(app: AppContext): Promise<number> {
  const tenants = await app.db.kysely.selectFrom('tenants').select('id').execute();
  let expired = 0;
  for (const { id: tenantId } of tenants) {
    for (;;) {
      const count = await withTenant(app.db, tenantId, async (tx) => {
        const due = await tx
          .selectFrom('form_submissions')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .where('confirmed_at', 'is', null)
          .where('expired_at', 'is', null)
          .where('confirm_by', '<', new Date())
          .limit(200)
          .forUpdate()
          .skipLocked()
          .execute();
        let events = 0;
        for (const submission of due) {
          for (const purposeId of submission.purpose_ids) {
            if ((await currentState(tx, tenantId, submission.person_id, purposeId)).state !== 'pending') continue;
            await recordConsentEvent(app, tx, tenantId, {
              person: { type: submission.person_type, id: submission.person_id },
              purpose: await findPurpose(tx, tenantId, purposeId),
              kind: 'expired',
              method: 'form',
              source: 'double opt-in not confirmed in time',
              form: { id: submission.form_id, version: submission.form_version },
              actor: { type: 'system', id: null },
            });
            events += 1;
          }
          await tx
            .updateTable('form_submissions')
            .set({ expired_at: new Date() })
            .where('tenant_id', '=', tenantId)
            .where('id', '=', submission.id)
            .execute();
        }
        if (due.length > 0) {
          await recordAudit(
            tx,
            tenantId,
            { actorType: 'system', actorId: 'job:consent.expire-unconfirmed' },
            {
              action: 'consent.expire_unconfirmed',
              objectType: 'form_submission',
              objectId: null,
              fields: [`submissions:${due.length}`, `consents:${events}`],
            },
          );
        }
        expired += events;
        return due.length;
      });
      if (count < 200) break;
    }
  }
  return expired;
}
