import { z } from 'zod';
import { webUrl } from '../shared/fields.ts';
import { PERSON_TYPES } from '../consent/schema.ts';

/** The person fields a form can ask for; email is always asked and always required. */
export const FORM_FIELD_KEYS = ['email', 'firstName', 'lastName', 'phone', 'jobTitle', 'company'] as const;
export type FormFieldKey = (typeof FORM_FIELD_KEYS)[number];

const text = (max: number) => z.string().trim().min(1).max(max);

export const formFieldInput = z.object({
  key: z.enum(FORM_FIELD_KEYS),
  label: text(200),
  required: z.boolean().default(false),
});

export const formConsentInput = z.object({
  purposeId: z.string().uuid(),
  text: text(5000).describe('The exact wording next to the (unticked) checkbox'),
});

const content = {
  title: text(200),
  intro: z.string().trim().max(5000).default(''),
  fields: z.array(formFieldInput).max(20).default([]),
  consents: z.array(formConsentInput).min(1).max(20),
  policyVersion: text(100),
  policyUrl: webUrl,
  successMessage: text(2000).default('Thank you.'),
};

export const formInput = z.object({
  name: text(200),
  creates: z.enum(PERSON_TYPES).default('lead'),
  doubleOptIn: z.boolean().default(true),
  confirmWithinDays: z.number().int().min(1).max(90).default(7),
  ownerId: z.string().uuid().optional().describe('Owner of the records the form creates (default: you)'),
  ...content,
});

export const formPatch = z.object({
  name: text(200).optional(),
  status: z.enum(['draft', 'live', 'archived']).optional(),
  creates: z.enum(PERSON_TYPES).optional(),
  doubleOptIn: z.boolean().optional(),
  confirmWithinDays: z.number().int().min(1).max(90).optional(),
  ownerId: z.string().uuid().optional(),
  title: content.title.optional(),
  intro: z.string().trim().max(5000).optional(),
  fields: z.array(formFieldInput).max(20).optional(),
  consents: z.array(formConsentInput).min(1).max(20).optional(),
  policyVersion: content.policyVersion.optional(),
  policyUrl: content.policyUrl.optional(),
  successMessage: text(2000).optional(),
});

export const formView = z.object({
  id: z.string().uuid(),
  name: z.string(),
  status: z.enum(['draft', 'live', 'archived']),
  creates: z.enum(PERSON_TYPES),
  doubleOptIn: z.boolean(),
  confirmWithinDays: z.number(),
  ownerId: z.string().uuid(),
  version: z.number().describe('The current version; editing a live form creates a new one'),
  publicUrl: z.string().describe('Hosted page'),
  submitUrl: z.string().describe('POST JSON {fields, consents: [purposeId]} here from your own page'),
  title: z.string(),
  intro: z.string(),
  fields: z.array(z.object({ key: z.string(), label: z.string(), required: z.boolean() })),
  consents: z.array(z.object({ purposeId: z.string().uuid(), purposeName: z.string(), text: z.string(), textHash: z.string() })),
  policyVersion: z.string(),
  policyUrl: z.string(),
  successMessage: z.string(),
  submissions: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
