import { z } from 'zod';
import type { SyncRecordType } from '../db/types-sync.ts';
import { isCountryCode, isCurrencyCode, normaliseDomain, normaliseEmail } from '../crm/normalise.ts';
import { amount, email, phone, STAGES } from '../crm/schema.ts';

/**
 * The internal fields a connector maps each external object to, checked before anything is
 * stored. A value a person relies on being right (an address, a phone number, an amount) that is
 * malformed fails the record, with the field named in the run's failures; an optional value we
 * merely cannot read (a domain "n/a", a country spelt out oddly) is left empty.
 */

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
const COUNTRY_BY_NAME = new Map<string, string>();
for (let a = 65; a <= 90; a++) {
  for (let b = 65; b <= 90; b++) {
    const code = String.fromCharCode(a, b);
    if (isCountryCode(code)) COUNTRY_BY_NAME.set(regionNames.of(code)!.toLowerCase(), code);
  }
}

/** "de", "DE", "Germany" → "DE"; anything else → null. */
export function countryCode(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  if (isCountryCode(trimmed.toUpperCase())) return trimmed.toUpperCase();
  return COUNTRY_BY_NAME.get(trimmed.toLowerCase()) ?? null;
}

const lenientDomain = z.unknown().optional().transform((value) => (typeof value === 'string' ? normaliseDomain(value) : null));
const lenientCountry = z.unknown().optional().transform(countryCode);
const text = (max: number) => z.string().trim().max(max).nullable().default(null).transform((value) => (value === '' ? null : value));
const reference = z.string().max(200).nullable().default(null);

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
      emails: z.array(email).max(10).default([]).transform((list) => [...new Set(list.map(normaliseEmail))]),
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
      .transform((value) => (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)) ? value : null)),
    accountRef: reference,
  }),
  task: z.object({
    title: z.string().trim().max(500).nullable().default(null).transform((title) => title || '(no subject)'),
    dueAt: z.unknown().optional().transform((value) => (typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : null)),
    done: z.boolean().default(false),
  }),
} satisfies Record<SyncRecordType, z.ZodType>;

export type SyncFields = { [K in SyncRecordType]: z.infer<(typeof SYNC_FIELDS)[K]> };

/** The checked fields, or the reason they cannot be stored (field names only, never values). */
export function checkFields<K extends SyncRecordType>(type: K, fields: Record<string, unknown>): { ok: true; value: SyncFields[K] } | { ok: false; reason: string } {
  const result = SYNC_FIELDS[type].safeParse(fields);
  if (result.success) return { ok: true, value: result.data as SyncFields[K] };
  const reason = result.error.issues.map((issue) => `${issue.path.join('.') || type}: ${issue.message}`).join('; ');
  return { ok: false, reason };
}
