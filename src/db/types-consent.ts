import type { ColumnType, Generated, RawBuilder } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type TextArray = ColumnType<string[], string[] | undefined, string[]>;
type Json<T> = ColumnType<T, string, string>;

export type LegalBasis = 'consent' | 'contract' | 'legitimate_interest' | 'legal_obligation';
export type PurposeStatus = 'draft' | 'active' | 'retired';
export type PersonType = 'contact' | 'lead';
/** Events about one purpose. */
export type PurposeEventKind = 'given' | 'confirmed' | 'withdrawn' | 'expired' | 'repermission_requested' | 'objected';
/** Events about selling and sharing, which cover every purpose that sells or shares. */
export type SaleSharingEventKind = 'sale_sharing_opted_out' | 'sale_sharing_opted_in';
export type ConsentEventKind = PurposeEventKind | SaleSharingEventKind;
export type ConsentMethod = 'form' | 'import' | 'api' | 'portal' | 'verbal' | 'email_link' | 'cookie_banner';
export type ConsentState = 'pending' | 'granted' | 'withdrawn' | 'expired' | 'objected';
export type ActorType = 'member' | 'api_token' | 'system' | 'data_subject';
export type SuppressionReason = 'unsubscribed' | 'bounced' | 'complained' | 'manual' | 'erased';
export type RefusalPath = 'campaign' | 'export' | 'connector_push' | 'repermission';

export interface PurposesTable {
  tenant_id: string;
  id: Generated<string>;
  key: string;
  name: string;
  description: Generated<string>;
  legal_basis: LegalBasis;
  status: Generated<PurposeStatus>;
  direct_marketing: Generated<boolean>;
  sells_or_shares: Generated<boolean>;
  cookie_category: string | null;
  retention: Generated<string>;
  recipients: TextArray;
  consent_valid_days: number | null;
  soft_opt_in: Generated<boolean>;
  about_recipients_profession: Generated<boolean>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  activated_at: Timestamp | null;
}

export interface LegitimateInterestAssessmentsTable {
  tenant_id: string;
  id: Generated<string>;
  purpose_id: string;
  interest: string;
  necessity: string;
  impact: string;
  safeguards: string;
  outcome: 'passed' | 'failed';
  reviewer_id: string;
  reviewed_on: ColumnType<Date, string, string>;
  created_at: DefaultTimestamp;
}

export interface ConsentTextsTable {
  tenant_id: string;
  hash: string;
  text: string;
  created_at: DefaultTimestamp;
}

export interface ConsentEventsTable {
  tenant_id: string;
  id: Generated<string>;
  seq: ColumnType<string, never, never>;
  person_type: PersonType;
  person_id: string;
  /** Null only for the choice about sale and sharing, which covers every purpose. */
  purpose_id: string | null;
  kind: ConsentEventKind;
  requires_confirmation: Generated<boolean>;
  method: ConsentMethod;
  source: string | null;
  source_enc: string | null;
  ip_enc: string | null;
  user_agent_enc: string | null;
  form_id: string | null;
  form_version: number | null;
  policy_version: string | null;
  text_hash: string | null;
  actor_type: ActorType;
  actor_id: string | null;
  occurred_at: DefaultTimestamp;
}

export interface ConsentStatesView {
  tenant_id: string;
  person_id: string;
  person_type: PersonType;
  purpose_id: string;
  state: ConsentState;
  since: Date;
  event_id: string;
}

export interface SaleSharingStatesView {
  tenant_id: string;
  person_id: string;
  person_type: PersonType;
  opted_out: boolean;
  method: ConsentMethod;
  source: string | null;
  since: Date;
  event_id: string;
}

export interface ProcessingRestrictionsTable {
  tenant_id: string;
  person_id: string;
  person_type: PersonType;
  reason: string;
  restricted_at: DefaultTimestamp;
  restricted_by: string | null;
}

export interface SuppressionsTable {
  tenant_id: string;
  email_index: string;
  reason: SuppressionReason;
  detail: string | null;
  created_at: DefaultTimestamp;
}

export interface ProcessingRefusalsTable {
  tenant_id: string;
  id: Generated<string>;
  person_id: string;
  purpose_id: string | null;
  path: RefusalPath;
  ref: string | null;
  reason: string;
  occurred_at: DefaultTimestamp;
}

export interface SoftOptInsTable {
  tenant_id: string;
  person_id: string;
  person_type: PersonType;
  relationship: 'sale' | 'negotiation';
  opportunity_id: string | null;
  evidence_enc: string | null;
  products_enc: string;
  opt_out_offered: string;
  obtained_at: Timestamp;
  recorded_by: string;
  recorded_at: DefaultTimestamp;
}

export interface FormField {
  key: string;
  label: string;
  required: boolean;
}

export interface FormConsent {
  purposeId: string;
  textHash: string;
}

export interface FormsTable {
  tenant_id: string;
  id: Generated<string>;
  name: string;
  status: Generated<'draft' | 'live' | 'archived'>;
  creates: Generated<PersonType>;
  double_opt_in: Generated<boolean>;
  confirm_within_days: Generated<number>;
  current_version: Generated<number>;
  owner_id: string;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface FormVersionsTable {
  tenant_id: string;
  form_id: string;
  version: number;
  title: string;
  intro: Generated<string>;
  fields: Json<FormField[]>;
  consents: Json<FormConsent[]>;
  policy_version: string;
  policy_url: string;
  success_message: string;
  created_at: DefaultTimestamp;
}

export interface FormSubmissionsTable {
  tenant_id: string;
  id: Generated<string>;
  form_id: string;
  form_version: number;
  person_type: PersonType;
  person_id: string;
  outcome: 'created' | 'updated';
  purpose_ids: TextArray;
  submitted_at: DefaultTimestamp;
  confirm_by: Timestamp | null;
  confirmed_at: Timestamp | null;
  expired_at: Timestamp | null;
}

export interface CookieBannersTable {
  tenant_id: string;
  text: string;
  policy_url: string;
  allowed_origins: TextArray;
  updated_at: DefaultTimestamp;
}

export interface PublicRateLimitsTable {
  key: string;
  hits: number;
  window_start: Timestamp;
}

export interface SegmentsTable {
  tenant_id: string;
  id: Generated<string>;
  name: string;
  object: PersonType;
  filter: Json<Record<string, unknown>>;
  created_by: string;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface EmailTemplatesTable {
  tenant_id: string;
  id: Generated<string>;
  name: string;
  subject: string;
  body: string;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export type CampaignKind = 'campaign' | 'repermission';
export type CampaignStatus = 'draft' | 'sending' | 'sent' | 'failed' | 'stopped';

export interface CampaignsTable {
  tenant_id: string;
  id: Generated<string>;
  kind: Generated<CampaignKind>;
  name: string;
  purpose_id: string;
  segment_id: string | null;
  template_id: string;
  inactive_months: number | null;
  confirm_within_days: number | null;
  status: Generated<CampaignStatus>;
  recipients: Generated<number>;
  sent: Generated<number>;
  failed: Generated<number>;
  excluded: ColumnType<Record<string, number>, string | undefined, string>;
  expired: Generated<number>;
  created_by: string;
  created_at: DefaultTimestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  confirm_by: Timestamp | null;
  expiry_done_at: Timestamp | null;
  stopped_reason: string | null;
}

export interface CampaignRecipientsTable {
  tenant_id: string;
  campaign_id: string;
  person_id: string;
  person_type: PersonType;
  status: Generated<'queued' | 'sent' | 'failed'>;
  error: string | null;
  sent_at: Timestamp | null;
}

export type EmailKind = 'campaign' | 'confirmation' | 'repermission' | 'dsr';

export interface EmailMessagesTable {
  tenant_id: string;
  id: Generated<string>;
  person_id: string;
  kind: EmailKind;
  campaign_id: string | null;
  to_enc: string;
  subject_enc: string;
  text_enc: string;
  transport: 'smtp' | 'outbox';
  created_at: DefaultTimestamp;
  state: ColumnType<'queued' | 'sent' | 'failed', 'queued' | 'sent' | 'failed' | undefined, 'queued' | 'sent' | 'failed'>;
  mail_enc: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  sent_at: Date | string | null;
}

export interface JobsTable {
  id: Generated<string>;
  tenant_id: string | null;
  queue: string;
  payload: ColumnType<Record<string, unknown>, string | undefined, string>;
  state: Generated<'queued' | 'running' | 'done' | 'failed'>;
  run_at: DefaultTimestamp;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  locked_by: string | null;
  locked_until: Timestamp | null;
  last_error: string | null;
  singleton_key: string | null;
  created_at: DefaultTimestamp;
  finished_at: Timestamp | null;
}

export interface JobSchedulesTable {
  name: string;
  queue: string;
  every_seconds: number;
  next_run_at: Timestamp;
}

export interface ConsentDB {
  purposes: PurposesTable;
  legitimate_interest_assessments: LegitimateInterestAssessmentsTable;
  soft_opt_ins: SoftOptInsTable;
  consent_texts: ConsentTextsTable;
  consent_events: ConsentEventsTable;
  consent_states: ConsentStatesView;
  sale_sharing_states: SaleSharingStatesView;
  processing_restrictions: ProcessingRestrictionsTable;
  suppressions: SuppressionsTable;
  processing_refusals: ProcessingRefusalsTable;
  forms: FormsTable;
  form_versions: FormVersionsTable;
  form_submissions: FormSubmissionsTable;
  cookie_banners: CookieBannersTable;
  public_rate_limits: PublicRateLimitsTable;
  segments: SegmentsTable;
  email_templates: EmailTemplatesTable;
  campaigns: CampaignsTable;
  campaign_recipients: CampaignRecipientsTable;
  email_messages: EmailMessagesTable;
  jobs: JobsTable;
  job_schedules: JobSchedulesTable;
}

export type DsrType =
  'access' | 'portability' | 'rectification' | 'erasure' | 'restriction' | 'objection' | 'opt_out_sale_sharing' | 'limit_sensitive';
export type DsrStatus = 'received' | 'verifying' | 'in_progress' | 'completed' | 'rejected';
export type DsrChannel = 'portal' | 'email' | 'phone' | 'letter' | 'in_person';

export interface DsrRequestsTable {
  tenant_id: string;
  id: string;
  type: DsrType;
  channel: DsrChannel;
  requester_email_enc: string;
  requester_name_enc: string | null;
  details_enc: string | null;
  requester_email_index: string;
  identity_status: Generated<'unverified' | 'verified' | 'failed'>;
  identity_method: string | null;
  received_at: Timestamp;
  due_at: Timestamp;
  extended_at: Timestamp | null;
  extension_reason_enc: string | null;
  status: Generated<DsrStatus>;
  rejection_reason_enc: string | null;
  completed_at: Timestamp | null;
  assignee_id: string | null;
  created_by_type: ActorType;
  created_by_id: string | null;
  last_alert_at: Timestamp | null;
  deidentified_at: Timestamp | null;
  jurisdiction: Generated<string>;
}

export interface DsrEvidenceTable {
  tenant_id: string;
  id: Generated<string>;
  request_id: string;
  kind: 'found' | 'done' | 'sent' | 'note';
  summary_enc: string;
  actor_type: ActorType;
  actor_id: string | null;
  created_at: DefaultTimestamp;
}

export interface ErasureTombstonesTable {
  tenant_id: string;
  /** Blind index of the erased identifier: an address, or a phone number when kind is 'phone'. */
  email_index: string;
  kind: ColumnType<'email' | 'phone', 'email' | 'phone' | undefined, 'email' | 'phone'>;
  request_id: string | null;
  erased_at: DefaultTimestamp;
}

export interface PortalLinksTable {
  tenant_id: string;
  id: string;
  email_index: string;
  email_enc: string;
  created_at: DefaultTimestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  signed_out_at: Timestamp | null;
}

export interface RightsDB {
  portal_links: PortalLinksTable;
  dsr_requests: DsrRequestsTable;
  dsr_evidence: DsrEvidenceTable;
  erasure_tombstones: ErasureTombstonesTable;
}

export type RetentionTarget = 'contact' | 'lead' | 'opportunity' | 'consent_history' | 'email_message' | 'portal_link' | 'dsr_request';

export interface RetentionRulesTable {
  tenant_id: string;
  id: Generated<string>;
  name: string;
  target: RetentionTarget;
  after_days: number;
  action: 'delete' | 'anonymise';
  enabled: Generated<boolean>;
  builtin_key: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface LegalHoldsTable {
  tenant_id: string;
  id: Generated<string>;
  record_type: PersonType;
  record_id: string;
  reason: string;
  placed_by: string;
  placed_at: DefaultTimestamp;
  released_at: Timestamp | null;
  released_by: string | null;
}

export interface RetentionRunsTable {
  tenant_id: string;
  id: Generated<string>;
  rule_id: string;
  started_at: DefaultTimestamp;
  finished_at: Timestamp | null;
  applied: Generated<number>;
  heartbeat_at: Timestamp | null;
  interrupted_at: Timestamp | null;
  resumes: string | null;
  applied_before: Generated<number>;
}

export interface RetentionDB {
  retention_rules: RetentionRulesTable;
  legal_holds: LegalHoldsTable;
  retention_runs: RetentionRunsTable;
}

export interface ExportItemsTable {
  tenant_id: string;
  export_id: string;
  person_id: string;
  person_type: PersonType;
  exported_at: DefaultTimestamp;
  exported_by: string;
}

export type IncidentStatus = 'draft' | 'open' | 'notified' | 'closed';

export interface IncidentsTable {
  tenant_id: string;
  id: Generated<string>;
  title: string;
  nature: Generated<string>;
  source: Generated<string>;
  detected_at: DefaultTimestamp;
  aware_at: Timestamp;
  categories_of_persons: TextArray;
  categories_of_data: TextArray;
  approx_persons: number | null;
  approx_records: number | null;
  likely_consequences: Generated<string>;
  measures: Generated<string>;
  status: Generated<IncidentStatus>;
  notification_required: boolean | null;
  decision_reason: string | null;
  decided_at: Timestamp | null;
  authority_notified_at: Timestamp | null;
  persons_notified_at: Timestamp | null;
  created_by: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  closed_at: Timestamp | null;
  detection_key: string | null;
  warned_48h_at: Timestamp | null;
  warned_24h_at: Timestamp | null;
}

export interface DetectionSettingsTable {
  tenant_id: string;
  timezone: Generated<string>;
  work_days: Generated<number[]>;
  work_start_hour: Generated<number>;
  work_end_hour: Generated<number>;
  failed_login_threshold: Generated<number>;
  failed_login_window_min: Generated<number>;
  new_network_alerts: Generated<boolean>;
  scanned_seq: Generated<string>;
  updated_at: DefaultTimestamp;
}

export interface MemberNetworksTable {
  tenant_id: string;
  member_id: string;
  network: string;
  first_seen: DefaultTimestamp;
  last_seen: DefaultTimestamp;
}

export interface IncidentPersonsTable {
  tenant_id: string;
  incident_id: string;
  person_id: string;
  person_type: PersonType;
}

export interface GovernanceDB {
  export_items: ExportItemsTable;
  record_reads: RecordReadsTable;
  incidents: IncidentsTable;
  incident_persons: IncidentPersonsTable;
  detection_settings: DetectionSettingsTable;
  member_networks: MemberNetworksTable;
}

export type TransferSafeguard = 'eea' | 'adequacy' | 'sccs' | 'bcr';

export interface SubprocessorsTable {
  tenant_id: string;
  id: Generated<string>;
  name: string;
  service: string;
  data_categories: TextArray;
  country: string;
  safeguard: TransferSafeguard;
  scc_module: number | null;
  scc_version: string | null;
  agreement_ref: Generated<string>;
  agreement_signed_on: ColumnType<Date | null, string | null | undefined, string | null>;
  agreement_expires_on: ColumnType<Date | null, string | null | undefined, string | null>;
  active: Generated<boolean>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface SubprocessorChangesTable {
  tenant_id: string;
  id: Generated<string>;
  subprocessor_id: string;
  change: 'added' | 'updated' | 'removed';
  fields: TextArray;
  changed_at: DefaultTimestamp;
}

export interface ProcessorsDB {
  training_modules: TrainingModulesTable;
  training_assignments: TrainingAssignmentsTable;
  dpias: DpiasTable;
  register_versions: RegisterVersionsTable;
  subprocessors: SubprocessorsTable;
  subprocessor_changes: SubprocessorChangesTable;
}

export interface RegisterVersionsTable {
  tenant_id: string;
  version: number;
  content: ColumnType<unknown, string, string>;
  changes: TextArray;
  created_at: DefaultTimestamp;
  created_by: string | null;
}

export interface DpiaRisk {
  risk: string;
  likelihood: number;
  severity: number;
  mitigations: Array<{ measure: string; owner: string }>;
}

export interface DpiasTable {
  tenant_id: string;
  id: Generated<string>;
  activity_id: string;
  title: string;
  description: Generated<string>;
  necessity: Generated<string>;
  risks: ColumnType<DpiaRisk[], string | undefined, string>;
  residual_risk: 'low' | 'medium' | 'high' | null;
  dpo_opinion: string | null;
  signed_off_by: string | null;
  signed_off_at: Timestamp | null;
  review_on: ColumnType<Date, string, string>;
  last_reminded_at: Timestamp | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface TrainingModulesTable {
  tenant_id: string;
  id: Generated<string>;
  title: string;
  content: Generated<string>;
  roles: ColumnType<string[], RawBuilder<string[]>, RawBuilder<string[]>>;
  due_within_days: Generated<number>;
  refresher_days: number | null;
  pass_score: Generated<number>;
  archived_at: Timestamp | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface TrainingAssignmentsTable {
  tenant_id: string;
  id: Generated<string>;
  module_id: string;
  member_id: string;
  assigned_at: DefaultTimestamp;
  due_at: Timestamp;
  completed_at: Timestamp | null;
  score: number | null;
}

export interface RecordReadsTable {
  tenant_id: string;
  id: Generated<string>;
  person_id: string;
  person_type: PersonType;
  action: 'contact.list' | 'lead.list';
  searched: boolean;
  actor_type: ActorType;
  actor_id: string | null;
  read_at: DefaultTimestamp;
}
