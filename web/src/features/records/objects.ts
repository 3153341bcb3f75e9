/** What the generic list, detail and form pages need to know about each CRM object. */
import { labelOf } from '../../ui/labels.ts';
import {
  accountApi,
  contactApi,
  leadApi,
  opportunityApi,
  type Account,
  type Contact,
  type CrmRecord,
  type Lead,
  type Opportunity,
  type RecordApi,
} from './recordApis.ts';
import { STAGE_LABELS, STAGES } from './stages.ts';

export type FieldType = 'text' | 'email-list' | 'phone-list' | 'select' | 'date' | 'number' | 'account' | 'member';

export interface Field<R> {
  key: keyof R & string;
  label: string;
  type?: FieldType;
  options?: readonly string[];
  required?: boolean;
}

/**
 * A filter of a list, as its query string names it (server: src/crm/schema.ts): an instant is a
 * day's start in UTC, a date a calendar day, days a whole number.
 */
export interface FilterSpec {
  key: string;
  label: string;
  type: 'owner' | 'text' | 'select' | 'instant' | 'date' | 'days';
  options?: readonly string[];
}

export interface ObjectSpec<R extends CrmRecord> {
  path: 'accounts' | 'contacts' | 'leads' | 'opportunities';
  recordType: 'account' | 'contact' | 'lead' | 'opportunity';
  label: string;
  singular: string;
  title(record: R): string;
  /** The first is the record's name, always shown; a saved view may choose among the others. */
  columns: Array<{ key: string; label: string; value(record: R): string }>;
  filters: FilterSpec[];
  /** People can be filtered on consent for a purpose and added to a hand-picked segment. */
  people?: boolean;
  fields: Array<Field<R>>;
  sorts: Array<{ value: string; label: string }>;
  /** Searched through the people directory: best match first, or in name order (server: src/crm/people-pages.ts). */
  rankedSearch?: boolean;
  /** Where a search matched the first column's text, for highlighting. */
  marks?(record: R): Array<{ start: number; end: number }>;
  api: RecordApi<R>;
}

/** Every record has an owner: who sees it (with their team) and answers for it. */
const OWNER = { key: 'ownerId', label: 'Owner', type: 'member' } as const;

/** Filters every list has (server: commonFilters in src/crm/schema.ts). */
const COMMON_FILTERS: FilterSpec[] = [
  { key: 'ownerId', label: 'Owner', type: 'owner' },
  { key: 'createdAfter', label: 'Created since', type: 'instant' },
  { key: 'updatedAfter', label: 'Updated since', type: 'instant' },
  { key: 'inactiveDays', label: 'No activity for (days)', type: 'days' },
];
const COUNTRY: FilterSpec = { key: 'country', label: 'Country', type: 'text' };
const SOURCE_TYPES = ['form', 'import', 'api', 'connector', 'manual', 'third_party'] as const;
const SOURCE_TYPE: FilterSpec = { key: 'sourceType', label: 'Source', type: 'select', options: SOURCE_TYPES };

const SIZES = ['1-10', '11-50', '51-200', '201-1000', '1001-5000', '5001+'] as const;
const LEAD_STATUSES = ['new', 'working', 'qualified', 'unqualified'] as const;
/** Jurisdiction profiles (server: src/jurisdiction/profiles.ts); empty: derived from country and region. */
const JURISDICTIONS = ['gdpr', 'uk_gdpr', 'ccpa', 'lgpd'] as const;

const personName = (record: { firstName: string | null; lastName: string | null }) =>
  [record.firstName, record.lastName].filter(Boolean).join(' ');

type Match = NonNullable<Contact['matches']>[number];

/** A search's matches in the first and last name, as ranges of "First Last". */
function nameMarks(record: { firstName: string | null; lastName: string | null; matches?: Match[] }) {
  const lastAt = record.firstName ? record.firstName.length + 1 : 0;
  return (record.matches ?? []).flatMap((match) =>
    match.field === 'firstName' ? [match] : match.field === 'lastName' ? [{ start: match.start + lastAt, end: match.end + lastAt }] : [],
  );
}

const NAME_SORTS = [
  { value: 'lastName', label: 'Last name A→Z' },
  { value: '-lastName', label: 'Last name Z→A' },
  { value: 'firstName', label: 'First name A→Z' },
  { value: '-firstName', label: 'First name Z→A' },
];

const contactName = (record: Contact) => personName(record) || record.emails[0] || '(no name)';
const leadName = (record: Lead) => personName(record) || record.email || '(no name)';

const accounts: ObjectSpec<Account> = {
  path: 'accounts',
  recordType: 'account',
  label: 'Accounts',
  singular: 'Account',
  title: (record) => record.name,
  columns: [
    { key: 'name', label: 'Name', value: (r) => r.name },
    { key: 'domain', label: 'Domain', value: (r) => r.domain ?? '' },
    { key: 'industry', label: 'Industry', value: (r) => r.industry ?? '' },
    { key: 'size', label: 'Size', value: (r) => r.size ?? '' },
    { key: 'country', label: 'Country', value: (r) => r.country ?? '' },
  ],
  filters: [
    ...COMMON_FILTERS,
    COUNTRY,
    { key: 'industry', label: 'Industry', type: 'text' },
    { key: 'size', label: 'Size', type: 'select', options: SIZES },
  ],
  fields: [
    { key: 'name', label: 'Name', required: true },
    { key: 'domain', label: 'Domain' },
    { key: 'industry', label: 'Industry' },
    { key: 'size', label: 'Size', type: 'select', options: SIZES },
    { key: 'country', label: 'Country (ISO code)' },
    OWNER,
  ],
  sorts: [
    { value: 'name', label: 'Name' },
    { value: '-createdAt', label: 'Newest' },
    { value: '-updatedAt', label: 'Recently updated' },
  ],
  api: accountApi,
};

const contacts: ObjectSpec<Contact> = {
  path: 'contacts',
  recordType: 'contact',
  label: 'Contacts',
  singular: 'Contact',
  title: contactName,
  columns: [
    { key: 'name', label: 'Name', value: contactName },
    { key: 'account', label: 'Account', value: (r) => r.accountName ?? '' },
    { key: 'email', label: 'Email', value: (r) => r.emails[0] ?? '' },
    { key: 'jobTitle', label: 'Job title', value: (r) => r.jobTitle ?? '' },
    { key: 'country', label: 'Country', value: (r) => r.country ?? '' },
    { key: 'source', label: 'Source', value: (r) => labelOf(r.provenance.sourceType) },
  ],
  filters: [...COMMON_FILTERS, COUNTRY, SOURCE_TYPE],
  people: true,
  fields: [
    { key: 'firstName', label: 'First name' },
    { key: 'lastName', label: 'Last name' },
    { key: 'emails', label: 'Emails (comma-separated)', type: 'email-list' },
    { key: 'phones', label: 'Phones (comma-separated)', type: 'phone-list' },
    { key: 'jobTitle', label: 'Job title' },
    { key: 'accountId', label: 'Account', type: 'account' },
    { key: 'country', label: 'Country (ISO code)' },
    { key: 'region', label: 'Region or state (ISO 3166-2, e.g. CA)' },
    { key: 'jurisdiction', label: 'Jurisdiction (empty: from country and region)', type: 'select', options: JURISDICTIONS },
    OWNER,
  ],
  sorts: [{ value: '-createdAt', label: 'Newest' }, { value: '-updatedAt', label: 'Recently updated' }, ...NAME_SORTS],
  rankedSearch: true,
  marks: (record) => (personName(record) ? nameMarks(record) : []),
  api: contactApi,
};

const leads: ObjectSpec<Lead> = {
  path: 'leads',
  recordType: 'lead',
  label: 'Leads',
  singular: 'Lead',
  title: (record) => personName(record) || record.companyName || record.email || '(no name)',
  columns: [
    { key: 'name', label: 'Name', value: leadName },
    { key: 'company', label: 'Company', value: (r) => r.companyName ?? '' },
    { key: 'email', label: 'Email', value: (r) => r.email ?? '' },
    { key: 'status', label: 'Status', value: (r) => labelOf(r.status) },
    { key: 'source', label: 'Source', value: (r) => r.source ?? '' },
  ],
  filters: [...COMMON_FILTERS, { key: 'status', label: 'Status', type: 'select', options: LEAD_STATUSES }, COUNTRY, SOURCE_TYPE],
  people: true,
  fields: [
    { key: 'firstName', label: 'First name' },
    { key: 'lastName', label: 'Last name' },
    { key: 'email', label: 'Email' },
    { key: 'phone', label: 'Phone' },
    { key: 'jobTitle', label: 'Job title' },
    { key: 'companyName', label: 'Company' },
    { key: 'companyDomain', label: 'Company domain' },
    { key: 'status', label: 'Status', type: 'select', options: LEAD_STATUSES },
    { key: 'source', label: 'Source' },
    { key: 'country', label: 'Country (ISO code)' },
    { key: 'region', label: 'Region or state (ISO 3166-2, e.g. CA)' },
    { key: 'jurisdiction', label: 'Jurisdiction (empty: from country and region)', type: 'select', options: JURISDICTIONS },
    OWNER,
  ],
  sorts: [{ value: '-createdAt', label: 'Newest' }, { value: 'status', label: 'Status' }, ...NAME_SORTS],
  rankedSearch: true,
  marks: (record) => (personName(record) ? nameMarks(record) : []),
  api: leadApi,
};

const opportunities: ObjectSpec<Opportunity> = {
  path: 'opportunities',
  recordType: 'opportunity',
  label: 'Opportunities',
  singular: 'Opportunity',
  title: (record) => record.name,
  columns: [
    { key: 'name', label: 'Name', value: (r) => r.name },
    { key: 'stage', label: 'Stage', value: (r) => STAGE_LABELS[r.stage] },
    { key: 'amount', label: 'Amount', value: (r) => `${r.amount} ${r.currency}` },
    { key: 'closeDate', label: 'Close date', value: (r) => r.expectedCloseDate ?? '' },
    { key: 'probability', label: 'Probability', value: (r) => (r.probability === null ? '' : `${r.probability}%`) },
  ],
  filters: [
    ...COMMON_FILTERS,
    { key: 'stage', label: 'Stage', type: 'select', options: STAGES },
    { key: 'closingAfter', label: 'Closing from', type: 'date' },
    { key: 'closingBefore', label: 'Closing before', type: 'date' },
  ],
  fields: [
    { key: 'name', label: 'Name', required: true },
    { key: 'accountId', label: 'Account', type: 'account' },
    { key: 'stage', label: 'Stage', type: 'select', options: STAGES },
    { key: 'amount', label: 'Amount' },
    { key: 'currency', label: 'Currency (ISO code)' },
    { key: 'expectedCloseDate', label: 'Expected close date', type: 'date' },
    { key: 'probability', label: 'Probability (%)', type: 'number' },
    OWNER,
  ],
  sorts: [
    { value: 'closeDate', label: 'Close date' },
    { value: '-amount', label: 'Largest' },
    { value: 'name', label: 'Name' },
  ],
  api: opportunityApi,
};

export const OBJECTS = { accounts, contacts, leads, opportunities };
export type RecordPath = keyof typeof OBJECTS;

/** A record's name as its page titles it, fetched by path and id (a task's or a hold's linked record). */
export async function fetchTitle(path: RecordPath, id: string, signal?: AbortSignal): Promise<string> {
  switch (path) {
    case 'accounts':
      return accounts.title(await accounts.api.get(id, signal));
    case 'contacts':
      return contacts.title(await contacts.api.get(id, signal));
    case 'leads':
      return leads.title(await leads.api.get(id, signal));
    case 'opportunities':
      return opportunities.title(await opportunities.api.get(id, signal));
  }
}
