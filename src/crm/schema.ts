import { z } from 'zod';
import { pageQuery } from '../http/pagination.ts';
import { amount, country, currency, domain, email, isoDate, isoDateTime, phone } from '../shared/fields.ts';
import { jurisdiction, region } from '../jurisdiction/schema.ts';
import { CONSENT_STATES } from '../consent/schema.ts';

const id = z.string().uuid();
const text = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) => text(max).nullable().optional();

export const ACCOUNT_SIZES = ['1-10', '11-50', '51-200', '201-1000', '1001-5000', '5001+'] as const;
export const SOURCE_TYPES = ['form', 'import', 'api', 'connector', 'manual', 'third_party'] as const;
export const LEAD_STATUSES = ['new', 'working', 'qualified', 'unqualified', 'converted'] as const;
export const STAGES = ['prospecting', 'qualification', 'proposal', 'negotiation', 'closed_won', 'closed_lost'] as const;
export const RECORD_TYPES = ['account', 'contact', 'lead', 'opportunity'] as const;
export const NOTE_KINDS = ['note', 'call', 'email', 'meeting'] as const;

export const customValues = z.record(z.string(), z.unknown()).describe('Values of custom fields, by key');

export const provenanceInput = z.object({
  type: z.enum(SOURCE_TYPES),
  ref: z.string().trim().max(300).nullable().optional().describe('File name, form id, connector id or provider'),
  collectedAt: isoDateTime.optional(),
  fromPerson: z
    .boolean()
    .optional()
    .describe(
      'Obtained from the person themselves (they filled in a paper form, handed the details over): no Art. 14 notice is owed. A business card typed in counts as obtained elsewhere unless marked so',
    ),
});
export const provenanceView = z.object({
  sourceType: z.enum(SOURCE_TYPES),
  sourceRef: z.string().nullable(),
  collectedAt: z.string(),
  collectedBy: z.string().uuid().nullable(),
  fromPerson: z.boolean().describe('Obtained from the person themselves (a web form, or marked so): no Art. 14 notice owed'),
});

const toList = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

/**
 * Filters every list has, kept in saved views: who owns the records, when they were created or
 * changed, how long nothing happened on them, and the values of custom fields.
 */
/** At most this many ids in one request: a query string of 300 ids is about 11 KB, under Node's 16 KB limit for headers. */
export const MAX_IDS = 300;

export const commonFilters = {
  ids: z
    .string()
    .max(MAX_IDS * 37)
    .transform((value) => value.split(','))
    .pipe(z.array(z.string().uuid('each id must be a uuid')).min(1).max(MAX_IDS))
    .optional()
    .describe(`Only these records: ids separated by commas, at most ${MAX_IDS} (a selection to export)`),
  ownerId: z
    .union([z.literal('me'), z.literal('team'), z.string().uuid()])
    .optional()
    .describe("A member's id; me: the caller's records; team: those of the caller's team (the caller included)"),
  createdAfter: isoDateTime.optional().describe('Created at or after this instant'),
  createdBefore: isoDateTime.optional().describe('Created before this instant'),
  updatedAfter: isoDateTime.optional().describe('Changed at or after this instant'),
  updatedBefore: isoDateTime.optional().describe('Changed before this instant'),
  inactiveDays: z.coerce
    .number()
    .int()
    .min(1)
    .max(3650)
    .optional()
    .describe('No note, call, e-mail or meeting logged and no task completed in this many days, and created before them'),
  custom: z
    .union([z.string().max(300), z.array(z.string().max(300)).max(20)])
    .transform(toList)
    .optional()
    .describe('key:value, a custom field equal to the value (a multi-select: holding it); repeat for several'),
};

/** People's lists also filter on where the data came from and on consent for one purpose. */
export const consentFilters = {
  consentPurpose: z.string().uuid().optional().describe('With consentState: people in this state for this purpose'),
  consentState: z
    .enum(CONSENT_STATES)
    .optional()
    .describe('The current state for consentPurpose (none: the ledger has no event for it); granted when omitted'),
};

const timestamps = { createdAt: z.string(), updatedAt: z.string() };
const listBase = pageQuery.extend({
  q: z.string().trim().min(1).max(200).optional().describe('Search'),
  sort: z.string().max(40).optional().describe('A field, - in front for descending; with q, relevance (the default) or a name'),
});

// Accounts
export const accountInput = z.object({
  name: text(300),
  domain: domain.nullable().optional(),
  industry: optionalText(100),
  size: z.enum(ACCOUNT_SIZES).nullable().optional(),
  country: country.nullable().optional(),
  ownerId: id.optional(),
  custom: customValues.optional(),
});
export const accountPatch = accountInput.partial();
export const accountView = z.object({
  id,
  name: z.string(),
  domain: z.string().nullable(),
  industry: z.string().nullable(),
  size: z.string().nullable(),
  country: z.string().nullable(),
  ownerId: id,
  custom: customValues,
  ...timestamps,
});
export const accountListQuery = listBase.extend({
  ...commonFilters,
  industry: z.string().max(100).optional(),
  country: country.optional(),
  size: z.enum(ACCOUNT_SIZES).optional(),
});

// Contacts
const contactFields = {
  firstName: optionalText(100),
  lastName: optionalText(100),
  emails: z.array(email).max(10).optional(),
  phones: z.array(phone).max(10).optional(),
  jobTitle: optionalText(200),
  accountId: id.nullable().optional(),
  ownerId: id.optional(),
  country: country.nullable().optional(),
  region: region
    .nullable()
    .optional()
    .describe('State or region of residence (ISO 3166-2 code without the country): CA with country US is California'),
  jurisdiction: jurisdiction.nullable().optional().describe('Overrides the jurisdiction derived from country and region; null: derived'),
  custom: customValues.optional(),
};
export const contactInput = z
  .object({ ...contactFields, source: provenanceInput.optional() })
  .refine((c) => c.firstName || c.lastName || (c.emails && c.emails.length > 0), 'A contact needs a name or an email address');
export const contactPatch = z.object(contactFields).partial();
export const searchMatch = z
  .object({
    field: z.enum(['firstName', 'lastName', 'email', 'company']),
    start: z.number().int().describe('First matched character of the field as shown'),
    end: z.number().int().describe('One past the last matched character'),
  })
  .describe('Where a search matched the record: highlight field.slice(start, end)');
const matches = z.array(searchMatch).optional().describe('In search results only: why the record was found');
export const contactView = z.object({
  id,
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  emails: z.array(z.string()),
  phones: z.array(z.string()),
  jobTitle: z.string().nullable(),
  accountId: id.nullable(),
  accountName: z.string().nullable().optional().describe("In lists: the account's name"),
  ownerId: id,
  country: z.string().nullable(),
  region: z.string().nullable(),
  jurisdiction: z
    .string()
    .nullable()
    .describe('The override set by staff; null: derived from country and region, else the workspace default'),
  custom: customValues,
  provenance: provenanceView,
  reappearedAfterErasure: z.boolean().describe('The address belonged to a person erased earlier: this is a new record, not the old one'),
  matches,
  ...timestamps,
});
export const contactListQuery = listBase.extend({
  ...commonFilters,
  ...consentFilters,
  email: email.optional(),
  accountId: id.optional(),
  opportunityId: id.optional().describe("The deal's contacts"),
  country: country.optional(),
  sourceType: z.enum(SOURCE_TYPES).optional(),
});

// Leads
const leadFields = {
  firstName: optionalText(100),
  lastName: optionalText(100),
  email: email.nullable().optional(),
  phone: phone.nullable().optional(),
  jobTitle: optionalText(200),
  companyName: optionalText(300),
  companyDomain: domain.nullable().optional(),
  status: z.enum(LEAD_STATUSES).exclude(['converted']).optional(),
  source: optionalText(100),
  ownerId: id.optional(),
  country: country.nullable().optional(),
  region: region
    .nullable()
    .optional()
    .describe('State or region of residence (ISO 3166-2 code without the country): CA with country US is California'),
  jurisdiction: jurisdiction.nullable().optional().describe('Overrides the jurisdiction derived from country and region; null: derived'),
  custom: customValues.optional(),
};
export const leadInput = z
  .object({ ...leadFields, provenance: provenanceInput.optional() })
  .refine((l) => l.firstName || l.lastName || l.email || l.companyName, 'A lead needs a name, an email address or a company name');
export const leadPatch = z.object(leadFields).partial();
export const leadView = z.object({
  id,
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  jobTitle: z.string().nullable(),
  companyName: z.string().nullable(),
  companyDomain: z.string().nullable(),
  status: z.enum(LEAD_STATUSES),
  source: z.string().nullable(),
  ownerId: id,
  country: z.string().nullable(),
  region: z.string().nullable(),
  jurisdiction: z
    .string()
    .nullable()
    .describe('The override set by staff; null: derived from country and region, else the workspace default'),
  custom: customValues,
  provenance: provenanceView,
  reappearedAfterErasure: z.boolean().describe('The address belonged to a person erased earlier: this is a new record, not the old one'),
  convertedAt: z.string().nullable(),
  convertedContactId: id.nullable(),
  convertedAccountId: id.nullable(),
  convertedOpportunityId: id.nullable(),
  matches,
  ...timestamps,
});
export const leadListQuery = listBase.extend({
  ...commonFilters,
  ...consentFilters,
  status: z.enum(LEAD_STATUSES).optional(),
  source: z.string().max(100).optional(),
  sourceType: z.enum(SOURCE_TYPES).optional(),
  country: country.optional(),
  email: email.optional(),
});
export const leadConvertInput = z.object({
  opportunity: z
    .object({
      name: text(300),
      amount: amount.optional(),
      currency: currency.optional(),
      stage: z.enum(STAGES).optional(),
      expectedCloseDate: isoDate.nullable().optional(),
    })
    .optional()
    .describe('Also create an opportunity on the account'),
});
export const leadConversionView = z.object({
  leadId: id,
  contactId: id,
  contactCreated: z.boolean(),
  accountId: id.nullable(),
  accountCreated: z.boolean(),
  opportunityId: id.nullable(),
});

// Opportunities
const opportunityFields = {
  name: text(300),
  accountId: id.nullable().optional(),
  stage: z.enum(STAGES).optional(),
  amount: amount.optional(),
  currency: currency.optional(),
  expectedCloseDate: isoDate.nullable().optional(),
  probability: z.number().int().min(0).max(100).nullable().optional(),
  ownerId: id.optional(),
  contactIds: z.array(id).max(100).optional(),
  custom: customValues.optional(),
};
export const opportunityInput = z.object(opportunityFields);
export const opportunityPatch = z.object(opportunityFields).partial();
export const opportunityView = z.object({
  id,
  name: z.string(),
  accountId: id.nullable(),
  stage: z.enum(STAGES),
  amount: z.string(),
  currency: z.string(),
  expectedCloseDate: z.string().nullable(),
  probability: z.number().nullable(),
  ownerId: id,
  contactIds: z.array(id),
  custom: customValues,
  closedAt: z.string().nullable(),
  ...timestamps,
});
export const opportunityListQuery = listBase.extend({
  ...commonFilters,
  stage: z.enum(STAGES).optional(),
  accountId: id.optional(),
  contactId: id.optional(),
  closingBefore: isoDate.optional(),
  closingAfter: isoDate.optional(),
});

// Tasks and notes
export const recordRef = z.object({ type: z.enum(RECORD_TYPES), id });
export const taskInput = z.object({
  title: text(500),
  dueAt: isoDateTime.nullable().optional(),
  reminderMinutes: z
    .number()
    .int()
    .min(0)
    .max(10080)
    .nullable()
    .optional()
    .describe(
      'Remind the assignee this many minutes before the due time (0: at it), by e-mail and in the app; null: no reminder. A new task with a due time is reminded at it unless told otherwise',
    ),
  assigneeId: id.optional(),
  done: z.boolean().optional(),
  record: recordRef.nullable().optional(),
});
export const taskPatch = taskInput.partial();
export const taskView = z.object({
  id,
  title: z.string(),
  dueAt: z.string().nullable(),
  assigneeId: id,
  done: z.boolean(),
  doneAt: z.string().nullable(),
  record: recordRef.nullable(),
  reminderMinutes: z.number().nullable(),
  remindAt: z.string().nullable().describe('When the reminder is due: dueAt less reminderMinutes'),
  recordName: z.string().nullable().optional().describe("In lists: the linked record's name, when the caller may see that record"),
  createdBy: id,
  ...timestamps,
});
export const taskListQuery = pageQuery.extend({
  assigneeId: id.optional(),
  done: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional(),
  dueBefore: isoDateTime.optional().describe('Due before this instant (excluded)'),
  dueAfter: isoDateTime.optional().describe("Due at or after this instant: with dueBefore, one day of the caller's calendar"),
  undated: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional()
    .describe('true: only tasks without a due date; false: only those with one'),
  recordType: z.enum(RECORD_TYPES).optional(),
  recordId: id.optional(),
  reminding: z
    .enum(['true'])
    .transform(() => true)
    .optional()
    .describe("true: the caller's open tasks whose reminder is due and not yet closed (the app's reminders)"),
  sort: z.string().max(40).optional(),
});

export const noteInput = z.object({
  kind: z.enum(NOTE_KINDS).optional(),
  body: text(20_000),
  record: recordRef,
  occurredAt: isoDateTime.optional(),
});
export const notePatch = z.object({
  kind: z.enum(NOTE_KINDS).optional(),
  body: text(20_000).optional(),
  occurredAt: isoDateTime.optional(),
});
export const noteView = z.object({
  id,
  kind: z.enum(NOTE_KINDS),
  body: z.string(),
  record: recordRef,
  authorId: id,
  occurredAt: z.string(),
  ...timestamps,
});
export const noteListQuery = pageQuery.extend({ recordType: z.enum(RECORD_TYPES), recordId: id, kind: z.enum(NOTE_KINDS).optional() });

// Custom fields
export const CUSTOM_FIELD_TYPES = ['text', 'number', 'date', 'boolean', 'single_select', 'multi_select'] as const;
export const customFieldInput = z.object({
  object: z.enum(RECORD_TYPES),
  key: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be lowercase letters, digits and _ (starting with a letter), at most 40'),
  label: text(100),
  type: z.enum(CUSTOM_FIELD_TYPES),
  options: z.array(text(100)).max(100).optional(),
  personal: z.boolean().optional().describe('Personal data: encrypted, in access reports and erasure (contacts and leads only)'),
  position: z.number().int().min(0).max(1000).optional(),
});
export const customFieldPatch = z.object({
  label: text(100).optional(),
  options: z.array(text(100)).max(100).optional(),
  position: z.number().int().min(0).max(1000).optional(),
});
export const customFieldView = z.object({
  id,
  object: z.enum(RECORD_TYPES),
  key: z.string(),
  label: z.string(),
  type: z.enum(CUSTOM_FIELD_TYPES),
  options: z.array(z.string()),
  personal: z.boolean(),
  position: z.number(),
  createdAt: z.string(),
});

/** A list's filters: its query without the paging and the order (saved views, bulk actions). */
const filtersOf = <T extends z.ZodObject>(query: T) => query.omit({ cursor: true, limit: true, sort: true }).strict();
export const LIST_FILTERS = {
  account: filtersOf(accountListQuery),
  contact: filtersOf(contactListQuery),
  lead: filtersOf(leadListQuery),
  opportunity: filtersOf(opportunityListQuery),
};
