/** What the generic list, detail and form pages need to know about each CRM object. */

export type FieldType = 'text' | 'email-list' | 'phone-list' | 'select' | 'date' | 'number' | 'account';

export interface Field {
  key: string;
  label: string;
  type?: FieldType;
  options?: readonly string[];
  required?: boolean;
}

export interface ObjectSpec {
  path: 'accounts' | 'contacts' | 'leads' | 'opportunities';
  recordType: 'account' | 'contact' | 'lead' | 'opportunity';
  label: string;
  singular: string;
  title(record: any): string;
  columns: Array<{ label: string; value(record: any): string }>;
  fields: Field[];
  sorts: Array<{ value: string; label: string }>;
}

export const STAGES = ['prospecting', 'qualification', 'proposal', 'negotiation', 'closed_won', 'closed_lost'] as const;
export const STAGE_LABELS: Record<string, string> = {
  prospecting: 'Prospecting',
  qualification: 'Qualification',
  proposal: 'Proposal',
  negotiation: 'Negotiation',
  closed_won: 'Won',
  closed_lost: 'Lost',
};
const SIZES = ['1-10', '11-50', '51-200', '201-1000', '1001-5000', '5001+'] as const;
const LEAD_STATUSES = ['new', 'working', 'qualified', 'unqualified'] as const;
/** Jurisdiction profiles (server: src/jurisdiction/profiles.ts); empty: derived from country and region. */
const JURISDICTIONS = ['gdpr', 'uk_gdpr', 'ccpa', 'lgpd'] as const;

const personName = (record: any) =>
  [record.firstName, record.lastName].filter(Boolean).join(' ') || record.email || record.emails?.[0] || '(no name)';

export const OBJECTS: Record<ObjectSpec['path'], ObjectSpec> = {
  accounts: {
    path: 'accounts',
    recordType: 'account',
    label: 'Accounts',
    singular: 'Account',
    title: (record) => record.name,
    columns: [
      { label: 'Name', value: (r) => r.name },
      { label: 'Domain', value: (r) => r.domain ?? '' },
      { label: 'Industry', value: (r) => r.industry ?? '' },
      { label: 'Size', value: (r) => r.size ?? '' },
      { label: 'Country', value: (r) => r.country ?? '' },
    ],
    fields: [
      { key: 'name', label: 'Name', required: true },
      { key: 'domain', label: 'Domain' },
      { key: 'industry', label: 'Industry' },
      { key: 'size', label: 'Size', type: 'select', options: SIZES },
      { key: 'country', label: 'Country (ISO code)' },
    ],
    sorts: [
      { value: 'name', label: 'Name' },
      { value: '-createdAt', label: 'Newest' },
      { value: '-updatedAt', label: 'Recently updated' },
    ],
  },
  contacts: {
    path: 'contacts',
    recordType: 'contact',
    label: 'Contacts',
    singular: 'Contact',
    title: personName,
    columns: [
      { label: 'Name', value: personName },
      { label: 'Email', value: (r) => r.emails?.[0] ?? '' },
      { label: 'Job title', value: (r) => r.jobTitle ?? '' },
      { label: 'Country', value: (r) => r.country ?? '' },
      { label: 'Source', value: (r) => r.provenance?.sourceType ?? '' },
    ],
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
    ],
    sorts: [
      { value: '-createdAt', label: 'Newest' },
      { value: '-updatedAt', label: 'Recently updated' },
    ],
  },
  leads: {
    path: 'leads',
    recordType: 'lead',
    label: 'Leads',
    singular: 'Lead',
    title: (record) => (personName(record) !== '(no name)' ? personName(record) : (record.companyName ?? '(no name)')),
    columns: [
      { label: 'Name', value: personName },
      { label: 'Company', value: (r) => r.companyName ?? '' },
      { label: 'Email', value: (r) => r.email ?? '' },
      { label: 'Status', value: (r) => r.status },
      { label: 'Source', value: (r) => r.source ?? '' },
    ],
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
    ],
    sorts: [
      { value: '-createdAt', label: 'Newest' },
      { value: 'status', label: 'Status' },
    ],
  },
  opportunities: {
    path: 'opportunities',
    recordType: 'opportunity',
    label: 'Opportunities',
    singular: 'Opportunity',
    title: (record) => record.name,
    columns: [
      { label: 'Name', value: (r) => r.name },
      { label: 'Stage', value: (r) => STAGE_LABELS[r.stage] ?? r.stage },
      { label: 'Amount', value: (r) => `${r.amount} ${r.currency}` },
      { label: 'Close date', value: (r) => r.expectedCloseDate ?? '' },
      { label: 'Probability', value: (r) => (r.probability === null ? '' : `${r.probability}%`) },
    ],
    fields: [
      { key: 'name', label: 'Name', required: true },
      { key: 'accountId', label: 'Account', type: 'account' },
      { key: 'stage', label: 'Stage', type: 'select', options: STAGES },
      { key: 'amount', label: 'Amount' },
      { key: 'currency', label: 'Currency (ISO code)' },
      { key: 'expectedCloseDate', label: 'Expected close date', type: 'date' },
      { key: 'probability', label: 'Probability (%)', type: 'number' },
    ],
    sorts: [
      { value: 'closeDate', label: 'Close date' },
      { value: '-amount', label: 'Largest' },
      { value: 'name', label: 'Name' },
    ],
  },
};
