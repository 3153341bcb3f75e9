import { z } from 'zod';
import type { SyncRecordType } from '../db/types-sync.ts';
import { countryCode } from '../shared/countries.ts';
import { isCurrencyCode, normaliseDomain, normaliseEmail } from '../shared/normalise.ts';
import { readPhone } from '../shared/phones.ts';
import { STAGES } from '../crm/schema.ts';
import { amount, email } from '../shared/fields.ts';

/**
 * The internal fields a connector maps each external object to, checked before anything is
 * stored. A record that cannot be told apart without a value (no name, no address) fails, with
 * the field named in the run's failures; a malformed value it can be kept without (a phone
 * number, an amount, see DROPPABLE) is left out and reported; an optional value we merely cannot
 * read (a domain "n/a", a country spelt out oddly) is left empty.
 */

const lenientDomain = z
  .unknown()
  .optional()
  .transform((value) => (typeof value === 'string' ? normaliseDomain(value) : null));
const lenientCountry = z.unknown().optional().transform(countryCode);
const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .nullable()
    .default(null)
    .transform((value) => (value === '' ? null : value));
const reference = z.string().max(200).nullable().default(null);
/** A number libphonenumber-js can read (an international one must be real); national ones were read with the record's country before. */
const phone = z
  .string()
  .trim()
  .max(60)
  .refine((value) => readPhone(value).ok, 'must be a phone number')
  .transform((value) => (readPhone(value) as { phone: string }).phone);

export const SYNC_FIELDS = {
  account: z.object({
    name: z.string({ message: 'is required' }).trim().min(1, 'is required').max(300),
    domain: lenientDomain,
    industry: text(100),
    country: lenientCountry,
  }),
  contact: z
    .object({
      firstName: text(100),
      lastName: text(100),
      emails: z
        .array(email)
        .max(10)
        .default([])
        .transform((list) => [...new Set(list.map(normaliseEmail))]),
      phones: z.array(phone).max(10).default([]),
      jobTitle: text(200),
      country: lenientCountry,
      accountRef: reference,
    })
    .refine((person) => person.firstName || person.lastName || person.emails.length > 0, 'needs a name or an email address'),
  lead: z
    .object({
      firstName: text(100),
      lastName: text(100),
      email: email.nullable().default(null),
      phone: phone.nullable().default(null),
      jobTitle: text(200),
      companyName: text(300),
      companyDomain: lenientDomain,
      country: lenientCountry,
    })
    .refine((lead) => lead.firstName || lead.lastName || lead.email || lead.companyName, 'needs a name, an email address or a company'),
  opportunity: z.object({
    name: z.string({ message: 'is required' }).trim().min(1, 'is required').max(300),
    amount: amount.nullable().default(null),
    currency: z
      .string()
      .trim()
      .toUpperCase()
      .nullable()
      .default(null)
      .refine((code) => code === null || isCurrencyCode(code), 'must be an ISO 4217 currency code'),
    stage: z.enum(STAGES).nullable().default(null),
    expectedCloseDate: z
      .unknown()
      .optional()
      .transform((value) =>
        typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)) ? value : null,
      ),
    accountRef: reference,
    /** The people on the deal, by their ids there; a person not synced is left out. */
    contactRefs: z.array(z.string().max(200)).max(1000).default([]),
  }),
  task: z.object({
    title: z
      .string()
      .trim()
      .max(500)
      .nullable()
      .default(null)
      .transform((title) => title || '(no subject)'),
    dueAt: z
      .unknown()
      .optional()
      .transform((value) => (typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : null)),
    done: z.boolean().default(false),
    /** The record the task is about there (a person first, else a deal, else a company), by its id there. */
    about: z
      .object({ type: z.enum(['account', 'contact', 'lead', 'opportunity']), ref: z.string().min(1).max(200) })
      .nullable()
      .default(null),
  }),
} satisfies Record<SyncRecordType, z.ZodType>;

export type SyncFields = { [K in SyncRecordType]: z.infer<(typeof SYNC_FIELDS)[K]> };

/**
 * Fields a record can be kept without: a value there that fails its check is left empty (an
 * element of a list is left out) and reported, instead of losing the whole record. What
 * identifies the record (a name, or the address a person is known by) is not among them.
 */
const DROPPABLE: Record<SyncRecordType, readonly string[]> = {
  account: ['industry'],
  contact: ['phones', 'emails', 'jobTitle'],
  lead: ['phone', 'email', 'jobTitle'],
  opportunity: ['amount', 'currency', 'stage', 'contactRefs'],
  task: ['about'],
};

/**
 * "030 5550199" of a person in Germany is +49 30 5550199: national numbers are read with the
 * record's country while it is at hand. A number that does not fit that country stays as
 * written (the person may be reached abroad) and is checked as any national number.
 */
function withPhonesReadInCountry(input: Record<string, unknown>): Record<string, unknown> {
  const region = countryCode(input.country);
  if (!region) return input;
  const read = (value: unknown) => {
    if (typeof value !== 'string') return value;
    const result = readPhone(value, region);
    return result.ok ? result.phone : value;
  };
  if (Array.isArray(input.phones)) input.phones = input.phones.map(read);
  if (input.phone !== undefined) input.phone = read(input.phone);
  return input;
}

/**
 * The checked fields, with the values left out and why, or the reason the record cannot be
 * stored at all (field names only, never values).
 */
export function checkFields<K extends SyncRecordType>(
  type: K,
  fields: Record<string, unknown>,
): { ok: true; value: SyncFields[K]; dropped: string[] } | { ok: false; reason: string } {
  const input = withPhonesReadInCountry({ ...fields });
  const dropped: string[] = [];
  for (;;) {
    const result = SYNC_FIELDS[type].safeParse(input);
    if (result.success) return { ok: true, value: result.data as SyncFields[K], dropped };
    const issues = result.error.issues;
    const describe = (issue: (typeof issues)[number]) => `${issue.path.join('.') || type}: ${issue.message}`;
    if (!issues.every((issue) => DROPPABLE[type].includes(String(issue.path[0])))) {
      return { ok: false, reason: [...dropped, ...issues.map(describe)].join('; ') };
    }
    const leftOut = new Map<string, Set<number>>();
    for (const issue of issues) {
      const [field, index] = issue.path as [string, unknown];
      if (typeof index === 'number' && Array.isArray(input[field]))
        (leftOut.get(field) ?? leftOut.set(field, new Set()).get(field)!).add(index);
      else input[field] = null;
      dropped.push(describe(issue));
    }
    for (const [field, indexes] of leftOut) input[field] = (input[field] as unknown[]).filter((_, at) => !indexes.has(at));
  }
}
