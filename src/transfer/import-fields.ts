import { z } from 'zod';
import { badRequest } from '../http/errors.ts';
import { region } from '../jurisdiction/schema.ts';
import { countryCode } from '../shared/countries.ts';
import { readPhone } from '../shared/phones.ts';
import { ACCOUNT_SIZES, LEAD_STATUSES, STAGES } from '../crm/schema.ts';
import { amount, country, currency, domain, email, isoDate, phone } from '../shared/fields.ts';

/**
 * What an import reads from a row: which columns feed which field (the header spellings of
 * HubSpot, Salesforce and Pipedrive exports are known), the values as people write them (phones
 * in national form, countries by name, dates as the tools export them), and the checks. A value
 * that fails its check is left out and reported with the field, and the row is imported without
 * it, unless the import is strict or the row cannot be told apart without it.
 */

export const IMPORT_OBJECTS = ['contacts', 'accounts', 'leads', 'opportunities'] as const;
export type ImportObject = (typeof IMPORT_OBJECTS)[number];

/** Empty cells are absent; the quote our export puts before formula-like cells (=, +, -, @) is removed. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => {
    if (typeof value !== 'string') return value;
    if (value.trim() === '') return undefined;
    return /^'[=+\-@]/.test(value) ? value.slice(1) : value;
  }, schema.optional());

const list = <T extends z.ZodType>(item: T, max: number) =>
  z.preprocess((value) => (Array.isArray(value) && value.length === 0 ? undefined : value), z.array(item).max(max).optional());

const reference = optional(z.string().trim().max(200));

const ROW_SCHEMAS = {
  contacts: z
    .object({
      firstName: optional(z.string().trim().max(100)),
      lastName: optional(z.string().trim().max(100)),
      email: list(email, 10),
      phone: list(phone, 10),
      jobTitle: optional(z.string().trim().max(200)),
      country: optional(country),
      region: optional(region),
      accountName: optional(z.string().trim().max(300)),
      accountDomain: optional(domain),
      externalId: reference,
    })
    .refine((row) => row.firstName || row.lastName || (row.email && row.email.length > 0), 'needs a name or an email address'),
  accounts: z.object({
    name: z.string({ message: 'is required' }).trim().min(1, 'is required').max(300),
    domain: optional(domain),
    industry: optional(z.string().trim().max(100)),
    size: optional(z.enum(ACCOUNT_SIZES)),
    country: optional(country),
    externalId: reference,
  }),
  leads: z
    .object({
      firstName: optional(z.string().trim().max(100)),
      lastName: optional(z.string().trim().max(100)),
      email: optional(email),
      phone: optional(phone),
      jobTitle: optional(z.string().trim().max(200)),
      companyName: optional(z.string().trim().max(300)),
      companyDomain: optional(domain),
      status: optional(z.enum(LEAD_STATUSES).exclude(['converted'])),
      source: optional(z.string().trim().max(100)),
      country: optional(country),
      region: optional(region),
      externalId: reference,
    })
    .refine((row) => row.firstName || row.lastName || row.email || row.companyName, 'needs a name, an email address or a company'),
  opportunities: z.object({
    name: z.string({ message: 'is required' }).trim().min(1, 'is required').max(300),
    accountName: optional(z.string().trim().max(300)),
    accountDomain: optional(domain),
    stage: optional(z.enum(STAGES)),
    amount: optional(amount),
    currency: optional(currency),
    expectedCloseDate: optional(isoDate),
    probability: optional(z.coerce.number().int().min(0).max(100)),
    externalId: reference,
  }),
};

/** Fields several columns can feed (a work and a home e-mail address): every value lands. */
const MULTI: Partial<Record<ImportObject, readonly string[]>> = { contacts: ['email', 'phone'] };

const FIRST_NAME = ['firstname', 'first', 'givenname', 'forename', 'vorname', 'prenom', 'personfirstname'];
const LAST_NAME = ['lastname', 'last', 'surname', 'familyname', 'nachname', 'nom', 'personlastname'];
const EMAIL = [
  'email',
  'emails',
  'emailaddress',
  'mail',
  'email1',
  'workemail',
  'personemail',
  'personemailwork',
  'personemailhome',
  'personemailother',
  'additionalemailaddresses',
  'email2',
  'emailaddresses',
];
const PHONE = [
  'phone',
  'phonenumber',
  'mobile',
  'telephone',
  'tel',
  'mobilephone',
  'mobilephonenumber',
  'homephone',
  'workphone',
  'otherphone',
  'personphone',
  'personphonework',
  'personphonemobile',
  'personphonehome',
  'personphoneother',
  'telefon',
  'telefonnummer',
  'mobil',
  'handy',
  'telephone',
  'portable',
];
const JOB_TITLE = ['jobtitle', 'title', 'position', 'role', 'personjobtitle'];
const COUNTRY = [
  'country',
  'countrycode',
  'countryregion',
  'mailingcountry',
  'billingcountry',
  'personcountry',
  'organizationcountry',
  'land',
  'pays',
];
const REGION = ['region', 'regioncode', 'statecode', 'subdivision', 'stateregion', 'mailingstatecode'];
const COMPANY = [
  'company',
  'companyname',
  'account',
  'accountname',
  'organisation',
  'organization',
  'personorganization',
  'associatedcompany',
  'firma',
];
const WEBSITE = ['domain', 'website', 'companydomain', 'accountdomain', 'companywebsite', 'companydomainname', 'websiteurl'];

/** Header spellings recognised without an explicit mapping (compared lower-case, letters and digits only). */
const HEADER_ALIASES: Record<ImportObject, Record<string, string[]>> = {
  contacts: {
    firstName: FIRST_NAME,
    lastName: LAST_NAME,
    email: EMAIL,
    phone: PHONE,
    jobTitle: JOB_TITLE,
    country: COUNTRY,
    region: REGION,
    accountName: COMPANY,
    accountDomain: WEBSITE,
    // HubSpot "Record ID", Salesforce "Contact ID" / Data Loader "ID", Pipedrive "Person - ID".
    externalId: ['recordid', 'contactid', 'id', 'personid'],
  },
  accounts: {
    name: ['name', 'company', 'companyname', 'accountname', 'organizationname'],
    domain: ['domain', 'website', 'url', 'companydomainname', 'organizationwebsite'],
    industry: ['industry', 'sector'],
    size: ['size', 'employees', 'companysize'],
    country: [...COUNTRY, 'billingcountry', 'organizationaddresscountry'],
    externalId: ['recordid', 'accountid', 'id', 'organizationid'],
  },
  leads: {
    firstName: FIRST_NAME,
    lastName: LAST_NAME,
    email: EMAIL,
    phone: PHONE,
    jobTitle: JOB_TITLE,
    companyName: ['company', 'companyname', 'organisation', 'organization', 'companyaccount'],
    companyDomain: WEBSITE,
    status: ['status', 'leadstatus'],
    source: ['source', 'leadsource', 'originalsource'],
    country: COUNTRY,
    region: REGION,
    externalId: ['recordid', 'leadid', 'id'],
  },
  opportunities: {
    name: ['name', 'deal', 'dealname', 'opportunity', 'opportunityname', 'dealtitle'],
    accountName: ['account', 'accountname', 'company', 'companyname', 'dealorganization'],
    accountDomain: ['domain', 'website', 'accountdomain', 'companydomain'],
    stage: ['stage', 'dealstage'],
    amount: ['amount', 'value', 'dealvalue'],
    currency: ['currency', 'dealcurrency', 'opportunitycurrency'],
    expectedCloseDate: ['expectedclosedate', 'closedate', 'close', 'dealexpectedclosedate'],
    probability: ['probability', 'probability%', 'dealprobability'],
    externalId: ['recordid', 'opportunityid', 'id', 'dealid'],
  },
};

export const IMPORT_FIELDS = Object.fromEntries(IMPORT_OBJECTS.map((object) => [object, Object.keys(HEADER_ALIASES[object])])) as Record<
  ImportObject,
  string[]
>;

const headerKey = (header: string) => header.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Which column (by position) feeds which field. */
export interface ColumnMapping {
  columns: Array<{ index: number; column: string; field: string }>;
  /** Column name → field, for the report. */
  named: Record<string, string>;
  ignored: string[];
}

/** Resolves which CSV column feeds which field: explicit mapping first, then known header spellings. */
export function resolveMapping(object: ImportObject, headers: string[], explicit: Record<string, string> = {}): ColumnMapping {
  const fields = IMPORT_FIELDS[object];
  // A column mapped to "" is left out, whatever its header would have guessed.
  const unknownFields = Object.values(explicit).filter((field) => field !== '' && !fields.includes(field));
  if (unknownFields.length > 0)
    throw badRequest(`Unknown import fields: ${unknownFields.join(', ')}; ${object} take ${fields.join(', ')}`, {
      field: 'map',
      unknownFields,
    });
  const missingColumns = Object.keys(explicit).filter((column) => !headers.includes(column));
  if (missingColumns.length > 0)
    throw badRequest(`The file has no column ${missingColumns.join(', ')}`, { field: 'map', missingColumns, headers });
  const multi = MULTI[object] ?? [];
  const columns: ColumnMapping['columns'] = [];
  for (const [index, column] of headers.entries()) {
    const field =
      explicit[column] ??
      (column in explicit
        ? undefined
        : Object.entries(HEADER_ALIASES[object]).find(([, aliases]) => aliases.includes(headerKey(column)))?.[0]);
    if (!field) continue;
    // A field fed by one column takes the first; the rest are left (and listed as ignored).
    if (!multi.includes(field) && columns.some((taken) => taken.field === field) && !(column in explicit)) continue;
    columns.push({ index, column, field });
  }
  if (columns.length === 0)
    throw badRequest(`No column could be mapped; name them (${fields.join(', ')}) or pass a mapping.`, { field: 'map', headers });
  const mapped = new Set(columns.map((entry) => entry.index));
  return {
    columns,
    named: Object.fromEntries(columns.map((entry) => [entry.column, entry.field])),
    ignored: headers.filter((_, index) => !mapped.has(index)),
  };
}

/** The row's cells as fields: several columns of a multi-value field gathered, each e-mail cell split at ; , and spaces. */
export function fieldValues(object: ImportObject, mapping: ColumnMapping, cells: string[]): Record<string, unknown> {
  const multi = MULTI[object] ?? [];
  const values: Record<string, unknown> = {};
  for (const { index, field } of mapping.columns) {
    // The quote our export puts before formula-like cells (=, +, -, @) is removed.
    const written = (cells[index] ?? '').trim();
    const cell = /^'[=+\-@]/.test(written) ? written.slice(1) : written;
    if (multi.includes(field)) {
      const parts = field === 'email' ? cell.split(/[;,\s]+/) : [cell];
      values[field] = [...((values[field] as string[] | undefined) ?? []), ...parts.filter(Boolean)];
    } else if (values[field] === undefined || values[field] === '') values[field] = cell;
  }
  return values;
}

const JURISDICTION_REGION: Record<string, string> = { uk_gdpr: 'GB', ccpa: 'US', lgpd: 'BR' };

/** The region a national phone number is read in when the row names no country. */
export const defaultPhoneRegion = (jurisdiction: string): string | null => JURISDICTION_REGION[jurisdiction] ?? null;

/**
 * Dates as the exports write them: ISO (with or without a time), Salesforce's US 12/31/2026,
 * the European 31.12.2026 and 31/12/2026. Day and month in a/b/yyyy are told apart only when
 * one is above 12; otherwise the file's convention decides (European when it uses ;).
 */
export function readDate(value: string, european: boolean): string | null {
  const text = value.trim();
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(text);
  let parts: [number, number, number] | null = null;
  if (iso) parts = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  const dotted = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(text);
  if (dotted) parts = [Number(dotted[3]), Number(dotted[2]), Number(dotted[1])];
  const slashed = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:,?\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AP]M)?)?$/i.exec(text);
  if (slashed) {
    const [a, b] = [Number(slashed[1]), Number(slashed[2])];
    const dayFirst = a > 12 || (b <= 12 && european);
    parts = dayFirst ? [Number(slashed[3]), b, a] : [Number(slashed[3]), a, b];
  }
  if (!parts) return null;
  const [year, month, day] = parts;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.toISOString().slice(0, 10);
}

/** Values as people write them, made what the checks expect; what cannot be read stays as written, for the check to name. */
function asWritten(values: Record<string, unknown>, context: { phoneRegion: string | null; european: boolean }): Record<string, unknown> {
  const out = { ...values };
  if (typeof out.country === 'string' && out.country.trim()) out.country = countryCode(out.country) ?? out.country;
  const phoneRegion = (typeof out.country === 'string' && countryCode(out.country)) || context.phoneRegion;
  const readOne = (value: unknown) => {
    if (typeof value !== 'string' || !value.trim()) return value;
    const read = readPhone(value, phoneRegion);
    return read.ok ? read.phone : value;
  };
  if (Array.isArray(out.phone)) out.phone = out.phone.map(readOne);
  else out.phone = readOne(out.phone);
  if (typeof out.expectedCloseDate === 'string' && out.expectedCloseDate.trim())
    out.expectedCloseDate = readDate(out.expectedCloseDate, context.european) ?? out.expectedCloseDate;
  return out;
}

/** A row's values once read, per object. */
export type ImportedValues = { [O in ImportObject]: z.output<(typeof ROW_SCHEMAS)[O]> };
export type RowValues = ImportedValues[ImportObject];

export type RowReading = { ok: true; data: RowValues; leftOut: string[] } | { ok: false; errors: string[] };

/**
 * The row's checked fields. A value that fails is left out (one element of a list) and named in
 * leftOut; when the row still fails (nothing left to tell the person by) or the import is
 * strict, the row fails with every reason.
 */
export function readRow(
  object: ImportObject,
  values: Record<string, unknown>,
  context: { phoneRegion: string | null; european: boolean; strict: boolean },
): RowReading {
  const input = asWritten(values, context);
  const leftOut: string[] = [];
  const describe = (issue: z.core.$ZodIssue) => (issue.path.length ? `${issue.path[0] as string}: ${issue.message}` : issue.message);
  for (;;) {
    const result = ROW_SCHEMAS[object].safeParse(input);
    if (result.success) return { ok: true, data: result.data, leftOut };
    const issues = result.error.issues;
    const wholeRow = issues.some((issue) => issue.path.length === 0 || REQUIRED[object].includes(String(issue.path[0])));
    if (context.strict || wholeRow) return { ok: false, errors: [...leftOut, ...issues.map(describe)] };
    const elementsOut = new Map<string, Set<number>>();
    for (const issue of issues) {
      const [field, index] = issue.path as [string, unknown];
      if (typeof index === 'number' && Array.isArray(input[field]))
        (elementsOut.get(field) ?? elementsOut.set(field, new Set()).get(field)!).add(index);
      else input[field] = undefined;
      leftOut.push(describe(issue));
    }
    for (const [field, indexes] of elementsOut) input[field] = (input[field] as unknown[]).filter((_, at) => !indexes.has(at));
  }
}

/** Fields a row cannot be imported without. */
const REQUIRED: Record<ImportObject, readonly string[]> = { contacts: [], accounts: ['name'], leads: [], opportunities: ['name'] };
