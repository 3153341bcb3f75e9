import type { Tx } from '../db/tenant.ts';

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
  | 'free_text' // notes that may say anything about a person
  | 'location'; // country and region of residence

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
  /** For data subjects' columns: how a row is found to be about a given person. */
  link?: SubjectLink;
  /**
   * What erasure does with the rows: delete them (default), or keep them when the table is an
   * append-only record whose personal columns are encrypted under the person's key, so that
   * destroying the key leaves only the fact ('shred'), or when the row is the accountability
   * record of the request itself ('keep'). 'delete_other_requests': delete the rows of the
   * person's other requests; those of the request being carried out are its accountability record.
   */
  onErasure?: 'delete' | 'shred' | 'keep' | 'delete_other_requests';
  /** The column that identifies a row in reports, when the table has no id of its own. */
  rowId?: string;
  /** Held only until some work is done (a message is sent), then emptied: usually empty at rest. */
  transient?: true;
}

/**
 * How the rows of a table are tied to a person, so the access report and erasure can find them
 * from the inventory alone: the person's own record, a column holding the person's id, a
 * record reference (type + id), or the blind index of the person's address.
 */
export type SubjectLink =
  | { kind: 'self' }
  | { kind: 'person_column'; column: string }
  | { kind: 'record'; typeColumn: string; idColumn: string }
  | { kind: 'email_index'; column: string }
  | { kind: 'via'; column: string; table: string; link: SubjectLink };

const person =
  (table: string, object: string, link: SubjectLink) =>
  (column: string, category: DataCategory, description: string, blindIndex?: string): PersonalDataColumn => ({
    table,
    column,
    subject: 'data_subject',
    category,
    encrypted: true,
    object,
    description,
    link,
    ...(blindIndex ? { blindIndex } : {}),
  });
const SELF: SubjectLink = { kind: 'self' };
const ABOUT_RECORD: SubjectLink = { kind: 'record', typeColumn: 'record_type', idColumn: 'record_id' };
const OF_PERSON: SubjectLink = { kind: 'person_column', column: 'person_id' };
const REQUESTER: SubjectLink = { kind: 'email_index', column: 'requester_email_index' };
const contact = person('contacts', 'contact', SELF);
const lead = person('leads', 'lead', SELF);

export const PERSONAL_DATA: readonly PersonalDataColumn[] = [
  contact('first_name_enc', 'identity', 'First name.', 'name_index'),
  contact('last_name_enc', 'identity', 'Last name.', 'name_index'),
  contact('emails_enc', 'contact', 'Email addresses.', 'email_index'),
  contact('phones_enc', 'contact', 'Phone numbers.', 'phone_index'),
  contact('job_title_enc', 'professional', 'Job title.'),
  contact('custom_personal_enc', 'identity', 'Values of the custom fields flagged as personal data.'),
  // Coarse place of residence, in clear: it decides the person's jurisdiction for thousands of people in one query.
  { ...contact('country', 'location', 'Country of residence (decides the jurisdiction whose law applies).'), encrypted: false },
  { ...contact('region', 'location', 'State or region of residence (e.g. California, for the CCPA).'), encrypted: false },
  lead('first_name_enc', 'identity', 'First name.', 'name_index'),
  lead('last_name_enc', 'identity', 'Last name.', 'name_index'),
  lead('email_enc', 'contact', 'Email address.', 'email_index'),
  lead('phone_enc', 'contact', 'Phone number.', 'phone_index'),
  lead('job_title_enc', 'professional', 'Job title.'),
  lead('custom_personal_enc', 'identity', 'Values of the custom fields flagged as personal data.'),
  { ...lead('country', 'location', 'Country of residence (decides the jurisdiction whose law applies).'), encrypted: false },
  { ...lead('region', 'location', 'State or region of residence (e.g. California, for the CCPA).'), encrypted: false },
  person('tasks', 'task', ABOUT_RECORD)('title_enc', 'free_text', 'Title of a task, encrypted under the key of the person it concerns.'),
  person('notes', 'note', ABOUT_RECORD)(
    'body_enc',
    'free_text',
    'Text of a note, call, email or meeting log, encrypted under the key of the person it concerns.',
  ),
  {
    ...person('consent_events', 'consent', OF_PERSON)(
      'ip_enc',
      'online_identifier',
      'Address the person gave, confirmed or withdrew a consent from (proof of consent).',
    ),
    onErasure: 'shred',
  },
  {
    ...person('consent_events', 'consent', OF_PERSON)(
      'source_enc',
      'identity',
      'Where a consent event came from, as staff or an API caller described it (may name the person).',
    ),
    onErasure: 'shred',
  },
  {
    ...person('consent_events', 'consent', OF_PERSON)(
      'user_agent_enc',
      'online_identifier',
      'Browser the person used when giving, confirming or withdrawing a consent.',
    ),
    onErasure: 'shred',
  },
  person('email_messages', 'email', OF_PERSON)('to_enc', 'contact', 'Address an email was sent to.'),
  person('email_messages', 'email', OF_PERSON)(
    'subject_enc',
    'free_text',
    'Subject of an email sent to the person (may quote their name).',
  ),
  person('email_messages', 'email', OF_PERSON)('text_enc', 'free_text', 'Text of an email sent to the person.'),
  {
    ...person('email_messages', 'email', OF_PERSON)(
      'mail_enc',
      'free_text',
      'The whole message while it waits to be sent (personal links and attachments included); emptied once sent.',
    ),
    transient: true,
  },
  {
    ...person('soft_opt_ins', 'soft opt-in', OF_PERSON)(
      'products_enc',
      'free_text',
      'What the person bought or negotiated, the ground of marketing to them without consent (soft opt-in).',
    ),
    rowId: 'person_id',
  },
  {
    ...person('soft_opt_ins', 'soft opt-in', OF_PERSON)(
      'evidence_enc',
      'free_text',
      'Order, invoice or quote reference of that sale or negotiation.',
    ),
    rowId: 'person_id',
  },
  {
    table: 'processing_restrictions',
    column: 'reason',
    subject: 'data_subject',
    category: 'free_text',
    encrypted: false,
    object: 'restriction',
    description: 'Why processing of the person is restricted, possibly in their own words (privacy portal).',
    link: OF_PERSON,
    rowId: 'person_id',
  },
  {
    ...person('dsr_requests', 'request', REQUESTER)(
      'requester_email_enc',
      'contact',
      'Address a data subject request came from or is answered to.',
      'requester_email_index',
    ),
    onErasure: 'keep',
  },
  { ...person('dsr_requests', 'request', REQUESTER)('requester_name_enc', 'identity', 'Name the requester gave.'), onErasure: 'keep' },
  {
    ...person('dsr_requests', 'request', REQUESTER)('details_enc', 'free_text', 'What the person asked, in their words.'),
    onErasure: 'keep',
  },
  // Staff write these and the person is told them; they may name the person or their situation.
  {
    ...person('dsr_requests', 'request', REQUESTER)(
      'extension_reason_enc',
      'free_text',
      'Why the answer to a request was extended (told to the person).',
    ),
    onErasure: 'keep',
  },
  {
    ...person('dsr_requests', 'request', REQUESTER)('rejection_reason_enc', 'free_text', 'Why a request was refused (told to the person).'),
    onErasure: 'keep',
  },
  {
    ...person('portal_links', 'privacy portal link', { kind: 'email_index', column: 'email_index' })(
      'email_enc',
      'contact',
      'Address a privacy-portal sign-in link was sent to (evidence of the sign-in).',
      'email_index',
    ),
    onErasure: 'delete',
  },
  {
    ...person('dsr_evidence', 'request', { kind: 'via', column: 'request_id', table: 'dsr_requests', link: REQUESTER })(
      'summary_enc',
      'free_text',
      'What was found, done or sent for a request.',
    ),
    onErasure: 'delete_other_requests',
  },
  {
    table: 'users',
    column: 'email',
    subject: 'staff',
    category: 'contact',
    encrypted: false,
    object: 'account',
    description: 'Sign-in email of a member; kept in clear because it is the login identifier and the address invitations go to.',
  },
  {
    table: 'users',
    column: 'name',
    subject: 'staff',
    category: 'identity',
    encrypted: false,
    object: 'account',
    description: 'Display name of a member.',
  },
  {
    table: 'invitations',
    column: 'email',
    subject: 'staff',
    category: 'contact',
    encrypted: false,
    object: 'invitation',
    description: 'Email address an invitation to join a workspace was sent to.',
  },
  {
    table: 'sessions',
    column: 'ip',
    subject: 'staff',
    category: 'online_identifier',
    encrypted: false,
    object: 'session',
    description: 'Address a member signed in from.',
  },
  {
    table: 'member_networks',
    column: 'network',
    subject: 'staff',
    category: 'online_identifier',
    encrypted: false,
    object: 'sign-in network',
    description: 'Networks (/24, /48) and countries a member signed in from, to notice a sign-in from somewhere new.',
  },
  {
    table: 'incidents',
    column: 'nature',
    subject: 'staff',
    category: 'online_identifier',
    encrypted: false,
    object: 'incident',
    description: 'What happened; a detected sign-in names the member (by id) and the network or country they signed in from.',
  },
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
  {
    table: 'audit_read_log',
    column: 'ip',
    subject: 'staff',
    category: 'online_identifier',
    encrypted: false,
    object: 'audit event (read, waiting to be chained)',
    description:
      "Address of a member or API token that read people's records, until the read is moved into the audit trail (within a minute).",
  },
  {
    table: 'audit_read_log',
    column: 'user_agent',
    subject: 'staff',
    category: 'online_identifier',
    encrypted: false,
    object: 'audit event (read, waiting to be chained)',
    description: 'Browser or client of the reader, until the read is moved into the audit trail.',
  },
];

/**
 * Tables whose rows name a person by id only (no personal values): erasure removes them too, so
 * nothing keeps pointing at the erased person.
 */
export const PERSON_REFERENCES: ReadonlyArray<{ table: string; link: SubjectLink }> = [
  { table: 'form_submissions', link: OF_PERSON },
  { table: 'campaign_recipients', link: OF_PERSON },
  { table: 'processing_refusals', link: OF_PERSON },
  { table: 'export_items', link: OF_PERSON },
  { table: 'record_reads', link: OF_PERSON },
  // The Art. 14 notices owed or sent (the text sent is kept, encrypted, in email_messages).
  { table: 'art14_notices', link: OF_PERSON },
  // Which record of another CRM the person's record is a copy of (src/sync).
  { table: 'sync_links', link: ABOUT_RECORD },
  { table: 'sync_match_reviews', link: ABOUT_RECORD },
  // Rectifications and objections still owed to a connected CRM: moot once the person is erased.
  { table: 'sync_rights_owed', link: ABOUT_RECORD },
];

/**
 * Columns whose names look personal but are not, each with the reason. The inventory test fails
 * on any other column with such a name, so a new personal column cannot go unclassified.
 */
export const NOT_PERSONAL: Readonly<Record<string, string>> = {
  'tenants.name': 'the name of the customer organisation (a company)',
  'api_tokens.name': 'a label chosen for an integration token',
  'schema_migrations.name': 'a migration file name',
  'accounts.name': 'the name of a company (accounts hold company data only)',
  'leads.company_name': 'the name of the company of a lead',
  'opportunities.name': 'the name of a deal',
  'purposes.name': 'the name of a processing purpose',
  'forms.name': 'the name of a form',
  'form_versions.title': 'the heading of a form',
  'segments.name': 'the name of a segment',
  'saved_views.name': 'the name a member gives a saved view of a list',
  'email_templates.name': 'the name of an email template',
  'email_templates.body': 'the template text, with placeholders, before any person is merged in',
  'notice_templates.body': "the workspace's Art. 14 notice, with placeholders, before any person's facts are filled in",
  'campaigns.name': 'the name of a campaign',
  'job_schedules.name': 'the name of a recurring job',
  'suppressions.email_index': 'a keyed hash (blind index) of an address, not the address: it cannot be reversed',
  'retention_rules.name': 'the name of a retention rule',
  'subprocessors.name': 'the name of a company that processes data for the workspace',
  'training_modules.title': 'the title of a training module',
  'dpias.title': 'names an impact assessment of a processing activity',
  'incidents.title': 'names an incident; the people affected are linked by id in incident_persons, never named in it',
  'tenants.sender_name': 'the name of the customer organisation its campaign e-mails are sent under',
  'tenants.sender_email': 'the sending address of the customer organisation (a role address such as news@)',
  'tenants.postal_address': 'the postal address of the customer organisation, which every campaign e-mail must carry',
  'erasure_tombstones.email_index': 'the keyed hash of an erased address or phone number: flags its return, reveals nothing',
  'sync_erasure_receipts.note':
    'what a connected CRM does with an erased record, written by the connector from a fixed set of sentences (no value of the person, no external id)',
  'import_runs.file_name':
    'the name of an imported file, as every record it created carries it in its provenance (source_ref); a file is named by whoever uploads it',
};

/** Column names that suggest personal data; see the inventory test. */
export const PERSONAL_LOOKING_COLUMN = /(^|_)(e?mails?|names?|phones?|ip|user_agent|address(es)?|birth\w*|title|notes?|body)(_|$)/;

/** A personal custom field of one workspace, stored inside its object's custom_personal_enc. */
export interface PersonalCustomField extends PersonalDataColumn {
  customFieldKey: string;
  label: string;
}

/**
 * The inventory of one workspace: the declared columns plus the custom fields its members
 * flagged as personal (archived ones included: their values are still stored).
 */
export async function workspaceInventory(tx: Tx, tenantId: string): Promise<Array<PersonalDataColumn | PersonalCustomField>> {
  const fields = await tx
    .selectFrom('custom_fields')
    .select(['object', 'key', 'label'])
    .where('tenant_id', '=', tenantId)
    .where('personal', '=', true)
    .orderBy('object')
    .orderBy('key')
    .execute();
  const custom = fields.map((field): PersonalCustomField => ({
    table: field.object === 'contact' ? 'contacts' : 'leads',
    column: 'custom_personal_enc',
    subject: 'data_subject',
    category: 'identity',
    encrypted: true,
    link: SELF,
    object: field.object,
    description: `Custom field "${field.label}".`,
    customFieldKey: field.key,
    label: field.label,
  }));
  return [...PERSONAL_DATA, ...custom];
}
