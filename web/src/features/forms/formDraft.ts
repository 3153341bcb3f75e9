import type { BodyOf, Schemas } from '../../api/client.ts';

export type FormBody = BodyOf<'/api/v1/forms'>;
export type FieldKey = FormBody['fields'][number]['key'];
/** A form as the builder edits it: the body sent, and the id once it exists. */
export type Draft = FormBody & { id?: string };

export const FIELD_CHOICES: ReadonlyArray<{ key: Exclude<FieldKey, 'email'>; label: string }> = [
  { key: 'firstName', label: 'First name' },
  { key: 'lastName', label: 'Last name' },
  { key: 'phone', label: 'Phone' },
  { key: 'jobTitle', label: 'Job title' },
  { key: 'company', label: 'Company' },
];

const FIELD_KEYS = new Set<string>(FIELD_CHOICES.map((choice) => choice.key));

export const NEW_FORM: Draft = {
  name: '',
  creates: 'lead',
  doubleOptIn: true,
  confirmWithinDays: 7,
  title: '',
  intro: '',
  fields: [{ key: 'firstName', label: 'First name', required: false }],
  consents: [{ purposeId: '', text: '' }],
  policyVersion: '1',
  policyUrl: '',
  successMessage: 'Thank you.',
};

/** A stored form as the builder's draft: e-mail is always asked, so it is not a choice. */
export function draftOf(form: Schemas['Form']): Draft {
  return {
    id: form.id,
    name: form.name,
    creates: form.creates,
    doubleOptIn: form.doubleOptIn,
    confirmWithinDays: form.confirmWithinDays,
    title: form.title,
    intro: form.intro,
    fields: form.fields.flatMap((field) => (FIELD_KEYS.has(field.key) ? [{ ...field, key: field.key as FieldKey }] : [])),
    consents: form.consents.map((consent) => ({ purposeId: consent.purposeId, text: consent.text })),
    policyVersion: form.policyVersion,
    policyUrl: form.policyUrl,
    successMessage: form.successMessage,
  };
}
