import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { Role } from '../auth/roles.ts';
import type { CampaignsDB } from './types-campaigns.ts';
import type { ConsentDB, ProvenanceSource } from './types-consent.ts';
import type { FormsDB } from './types-forms.ts';
import type { GovernanceDB, ProcessorsDB } from './types-governance.ts';
import type { NoticesDB } from './types-notices.ts';
import type { PlatformDB } from './types-platform.ts';
import type { RetentionDB } from './types-retention.ts';
import type { RightsDB } from './types-rights.ts';
import type { SyncDB } from './types-sync.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Bytes = ColumnType<Uint8Array, Uint8Array, Uint8Array>;

export interface TenantsTable {
  id: string;
  slug: string;
  name: string;
  require_admin_totp: Generated<boolean>;
  default_jurisdiction: Generated<string>;
  sender_name: string | null;
  sender_email: string | null;
  postal_address: string | null;
  marketing_exceptions: ColumnType<string[], string[] | undefined, string[]>;
  created_at: DefaultTimestamp;
}

export interface UsersTable {
  id: Generated<string>;
  email: string;
  name: string;
  password_hash: string;
  password_changed_at: DefaultTimestamp;
  totp_secret_enc: string | null;
  totp_enabled_at: Timestamp | null;
  totp_last_step: number | null;
  /** SHA-256 of each unused recovery code (migration 0045). */
  totp_recovery_hashes: Generated<string[]>;
  created_at: DefaultTimestamp;
}

export interface MembersTable {
  tenant_id: string;
  id: Generated<string>;
  user_id: string;
  role: Role;
  is_dpo: Generated<boolean>;
  team: string | null;
  status: Generated<'active' | 'deactivated'>;
  created_at: DefaultTimestamp;
  deactivated_at: Timestamp | null;
}

export interface InvitationsTable {
  tenant_id: string;
  id: Generated<string>;
  email: string;
  role: Role;
  is_dpo: Generated<boolean>;
  token_hash: Bytes;
  invited_by: string;
  created_at: DefaultTimestamp;
  expires_at: Timestamp;
  accepted_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface SessionsTable {
  id: Generated<string>;
  token_hash: Bytes;
  user_id: string;
  tenant_id: string;
  mfa_pending: Generated<boolean>;
  second_factor: Generated<boolean>;
  ip: string | null;
  user_agent: string | null;
  created_at: DefaultTimestamp;
  last_seen_at: DefaultTimestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface ApiTokensTable {
  tenant_id: string;
  id: string;
  member_id: string;
  name: string;
  token_hash: Bytes;
  scopes: string[];
  created_at: DefaultTimestamp;
  expires_at: Timestamp | null;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface AuthThrottleTable {
  key: string;
  failures: number;
  window_start: Timestamp;
  locked_until: Timestamp | null;
}

export interface SystemKeysTable {
  id: string;
  wrapped_key: Bytes;
  master_key_id: string;
  created_at: DefaultTimestamp;
}

export interface TenantKeysTable {
  tenant_id: string;
  id: number;
  purpose: 'data' | 'index';
  wrapped_key: Bytes;
  master_key_id: string;
  created_at: DefaultTimestamp;
  retired_at: Timestamp | null;
}

export interface SubjectKeysTable {
  tenant_id: string;
  id: string;
  wrapped_key: Bytes | null;
  tenant_key_version: number;
  created_at: DefaultTimestamp;
  destroyed_at: Timestamp | null;
}

export interface AuditChainHeadsTable {
  tenant_id: string;
  last_seq: number;
  last_hash: string;
}

export interface AuditEventsTable {
  tenant_id: string;
  seq: number;
  occurred_at: Timestamp;
  actor_type: 'member' | 'api_token' | 'system' | 'data_subject';
  actor_id: string | null;
  action: string;
  object_type: string | null;
  object_id: string | null;
  fields: string[];
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

/** A read of a person's record waiting to be chained (migration 0018): an audit event without its place in the chain. */
export type AuditReadLogTable = Omit<AuditEventsTable, 'seq' | 'prev_hash' | 'hash'> & { id: Generated<string> };

/** Blind-index terms of contacts and leads, kept by triggers (migration 0019). */
export interface PersonTermsTable {
  tenant_id: string;
  term: string;
  person_type: 'contact' | 'lead';
  person_id: string;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  checksum: string;
  applied_at: DefaultTimestamp;
}

export type { ProvenanceSource };
export type CrmRecordType = 'account' | 'contact' | 'lead' | 'opportunity';
type Json = ColumnType<Record<string, unknown>, Record<string, unknown> | string | undefined, Record<string, unknown> | string>;
type Numeric = ColumnType<string, string | number | undefined, string | number>;

export interface AccountsTable {
  tenant_id: string;
  id: Generated<string>;
  name: string;
  domain: string | null;
  industry: string | null;
  size: string | null;
  country: string | null;
  owner_id: string;
  custom: Json;
  created_by: string;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

interface ProvenanceColumns {
  source_type: ProvenanceSource;
  source_ref: string | null;
  collected_at: Timestamp;
  collected_by: string | null;
  /** Typed in from what the person handed over themselves: no Art. 14 notice owed (migration 0050). */
  obtained_from_person: Generated<boolean>;
}

export interface ContactsTable extends ProvenanceColumns {
  tenant_id: string;
  id: string;
  first_name_enc: string | null;
  last_name_enc: string | null;
  emails_enc: string | null;
  phones_enc: string | null;
  job_title_enc: string | null;
  custom_personal_enc: string | null;
  email_index: ColumnType<string[], string[] | undefined, string[]>;
  /** Blind indexes of the phone numbers; null on rows written before migration 0027 until filled in. */
  phone_index: ColumnType<string[] | null, string[] | undefined, string[]>;
  name_index: ColumnType<string[], string[] | undefined, string[]>;
  account_id: string | null;
  owner_id: string;
  country: string | null;
  region: string | null;
  jurisdiction: string | null;
  custom: Json;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  reappeared_after_erasure: Generated<boolean>;
  anonymised_at: Timestamp | null;
}

export type LeadStatus = 'new' | 'working' | 'qualified' | 'unqualified' | 'converted';

export interface LeadsTable extends ProvenanceColumns {
  tenant_id: string;
  id: string;
  first_name_enc: string | null;
  last_name_enc: string | null;
  email_enc: string | null;
  phone_enc: string | null;
  job_title_enc: string | null;
  custom_personal_enc: string | null;
  email_index: string | null;
  phone_index: string | null;
  name_index: ColumnType<string[], string[] | undefined, string[]>;
  company_name: string | null;
  company_domain: string | null;
  status: ColumnType<LeadStatus, LeadStatus | undefined, LeadStatus>;
  source: string | null;
  owner_id: string;
  country: string | null;
  region: string | null;
  jurisdiction: string | null;
  custom: Json;
  converted_at: Timestamp | null;
  converted_contact_id: string | null;
  converted_account_id: string | null;
  converted_opportunity_id: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  reappeared_after_erasure: Generated<boolean>;
  anonymised_at: Timestamp | null;
}

export type OpportunityStage = 'prospecting' | 'qualification' | 'proposal' | 'negotiation' | 'closed_won' | 'closed_lost';

export interface OpportunitiesTable {
  tenant_id: string;
  id: Generated<string>;
  name: string;
  account_id: string | null;
  stage: ColumnType<OpportunityStage, OpportunityStage | undefined, OpportunityStage>;
  amount: Numeric;
  currency: ColumnType<string, string | undefined, string>;
  expected_close_date: ColumnType<string | null, string | null | undefined, string | null>;
  probability: number | null;
  owner_id: string;
  custom: Json;
  closed_at: Timestamp | null;
  created_by: string;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  anonymised_at: Timestamp | null;
}

export interface OpportunityContactsTable {
  tenant_id: string;
  opportunity_id: string;
  contact_id: string;
}

export interface TasksTable {
  tenant_id: string;
  id: string;
  title_enc: string;
  key_id: string;
  due_at: Timestamp | null;
  assignee_id: string;
  done: Generated<boolean>;
  done_at: Timestamp | null;
  record_type: CrmRecordType | null;
  record_id: string | null;
  created_by: string;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  reminder_minutes: number | null;
  reminded_at: Timestamp | null;
  reminder_dismissed_at: Timestamp | null;
}

export interface NotesTable {
  tenant_id: string;
  id: string;
  kind: ColumnType<
    'note' | 'call' | 'email' | 'meeting',
    'note' | 'call' | 'email' | 'meeting' | undefined,
    'note' | 'call' | 'email' | 'meeting'
  >;
  body_enc: string;
  key_id: string;
  record_type: CrmRecordType;
  record_id: string;
  author_id: string;
  occurred_at: DefaultTimestamp;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export type CustomFieldType = 'text' | 'number' | 'date' | 'boolean' | 'single_select' | 'multi_select';

export interface CustomFieldsTable {
  tenant_id: string;
  id: Generated<string>;
  object: CrmRecordType;
  key: string;
  label: string;
  type: CustomFieldType;
  options: ColumnType<string[], string[] | undefined, string[]>;
  personal: Generated<boolean>;
  position: Generated<number>;
  created_at: DefaultTimestamp;
  archived_at: Timestamp | null;
}

/** Totals of the import runs a run continues (migration 0036). */
export interface ImportTotals {
  created: number;
  duplicates: number;
  /** Of the duplicates, the records written over (on_duplicate update or fill-empty). */
  updated: number;
  failed: number;
  accountsCreated: number;
}

/** What an import does with a row that matches an existing record (migration 0044). */
export type OnDuplicate = 'skip' | 'update' | 'fill-empty';

export interface ImportRunsTable {
  tenant_id: string;
  id: string;
  object: 'contacts' | 'accounts' | 'leads' | 'opportunities';
  file_name: string;
  started_by: string | null;
  started_at: DefaultTimestamp;
  heartbeat_at: Timestamp | null;
  finished_at: Timestamp | null;
  interrupted_at: Timestamp | null;
  resumes: string | null;
  rows_done: Generated<number>;
  rows_digest: string | null;
  created: Generated<number>;
  duplicates: Generated<number>;
  on_duplicate: ColumnType<OnDuplicate, OnDuplicate | undefined, OnDuplicate>;
  updated: Generated<number>;
  failed: Generated<number>;
  accounts_created: Generated<number>;
  carried: ColumnType<Partial<ImportTotals>, string | undefined, string>;
}

/** A change of a deal's stage, kept by a trigger (migration 0049). */
export interface OpportunityStageChangesTable {
  tenant_id: string;
  id: Generated<string>;
  opportunity_id: string;
  from_stage: OpportunityStage | null;
  to_stage: OpportunityStage;
  changed_by: string | null;
  changed_at: DefaultTimestamp;
}

/** A saved view of a list (migration 0047). */
export interface SavedViewsTable {
  tenant_id: string;
  id: Generated<string>;
  object: CrmRecordType;
  name: string;
  owner_id: string;
  shared: Generated<boolean>;
  filters: ColumnType<Record<string, unknown>, string, string>;
  sort: string | null;
  columns: Generated<string[]>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export type BulkActionKind = 'assign' | 'add_to_segment' | 'delete';

/** One action on many records, recorded once (migration 0047). */
export interface BulkActionsTable {
  tenant_id: string;
  id: Generated<string>;
  object: CrmRecordType;
  action: BulkActionKind;
  record_count: number;
  record_ids: string[];
  owner_id: string | null;
  segment_id: string | null;
  actor_type: 'member' | 'api_token' | 'system';
  actor_id: string | null;
  occurred_at: DefaultTimestamp;
}

export interface DB
  extends ConsentDB, FormsDB, CampaignsDB, PlatformDB, RightsDB, RetentionDB, GovernanceDB, ProcessorsDB, SyncDB, NoticesDB {
  import_runs: ImportRunsTable;
  saved_views: SavedViewsTable;
  opportunity_stage_changes: OpportunityStageChangesTable;
  bulk_actions: BulkActionsTable;
  accounts: AccountsTable;
  contacts: ContactsTable;
  leads: LeadsTable;
  opportunities: OpportunitiesTable;
  opportunity_contacts: OpportunityContactsTable;
  tasks: TasksTable;
  notes: NotesTable;
  custom_fields: CustomFieldsTable;
  tenants: TenantsTable;
  users: UsersTable;
  members: MembersTable;
  invitations: InvitationsTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  auth_throttle: AuthThrottleTable;
  system_keys: SystemKeysTable;
  tenant_keys: TenantKeysTable;
  subject_keys: SubjectKeysTable;
  audit_chain_heads: AuditChainHeadsTable;
  audit_events: AuditEventsTable;
  audit_read_log: AuditReadLogTable;
  person_terms: PersonTermsTable;
  schema_migrations: SchemaMigrationsTable;
}

export type Member = Selectable<MembersTable>;
export type User = Selectable<UsersTable>;
export type Tenant = Selectable<TenantsTable>;
export type AuditEventRow = Selectable<AuditEventsTable>;
export type AuditReadLogRow = Selectable<AuditReadLogTable>;
export type NewAuditEvent = Insertable<AuditEventsTable>;
