/**
 * The data inventory: every column that holds personal data, declared once. Access reports,
 * exports, erasure, retention, encryption and the Art. 30 register are driven by this list,
 * never by per-table code. A test checks it against the live schema in both directions.
 */

/** Whose data it is: staff of the controller (members) or the people kept in the CRM. */
export type SubjectKind = 'staff' | 'data_subject';

export type DataCategory =
  | 'identity' // names
  | 'contact' // email addresses, phone numbers
  | 'online_identifier' // IP addresses, user agents
  | 'professional' // job titles, employer
  | 'free_text'; // notes that may say anything about a person

export interface PersonalDataColumn {
  table: string;
  column: string;
  subject: SubjectKind;
  category: DataCategory;
  /** Stored encrypted under the data subject's key (src/crypto). */
  encrypted: boolean;
  /** Name of the blind-index column used to look the value up, when there is one. */
  blindIndex?: string;
  /** The object a person sees this under in an access report. */
  object: string;
  description: string;
}

export const PERSONAL_DATA: readonly PersonalDataColumn[] = [
  {
    table: 'users',
    column: 'email',
    subject: 'staff',
    category: 'contact',
    encrypted: false,
    object: 'account',
    description: 'Sign-in email of a member; kept in clear because it is the login identifier and the address invitations go to.',
  },
  { table: 'users', column: 'name', subject: 'staff', category: 'identity', encrypted: false, object: 'account', description: 'Display name of a member.' },
  {
    table: 'invitations',
    column: 'email',
    subject: 'staff',
    category: 'contact',
    encrypted: false,
    object: 'invitation',
    description: 'Email address an invitation to join a workspace was sent to.',
  },
  { table: 'sessions', column: 'ip', subject: 'staff', category: 'online_identifier', encrypted: false, object: 'session', description: 'Address a member signed in from.' },
  {
    table: 'sessions',
    column: 'user_agent',
    subject: 'staff',
    category: 'online_identifier',
    encrypted: false,
    object: 'session',
    description: 'Browser a member signed in with, shown in their list of sessions.',
  },
  {
    table: 'audit_events',
    column: 'ip',
    subject: 'staff',
    category: 'online_identifier',
    encrypted: false,
    object: 'audit event',
    description: 'Address of the actor; for data subjects only the network (/24, /48) is kept, which identifies no one.',
  },
  {
    table: 'audit_events',
    column: 'user_agent',
    subject: 'staff',
    category: 'online_identifier',
    encrypted: false,
    object: 'audit event',
    description: 'Browser or client of the actor.',
  },
];

/**
 * Columns whose names look personal but are not, each with the reason. The inventory test fails
 * on any other column with such a name, so a new personal column cannot go unclassified.
 */
export const NOT_PERSONAL: Readonly<Record<string, string>> = {
  'tenants.name': 'the name of the customer organisation (a company)',
  'api_tokens.name': 'a label chosen for an integration token',
  'schema_migrations.name': 'a migration file name',
};

/** Column names that suggest personal data; see the inventory test. */
export const PERSONAL_LOOKING_COLUMN = /(^|_)(e?mail|name|phone|ip|user_agent|address|birth|title|note|body)(_|$)/;

export function personalColumnsOf(table: string): PersonalDataColumn[] {
  return PERSONAL_DATA.filter((column) => column.table === table);
}
