import type { ColumnType, Generated, RawBuilder } from 'kysely';
import type { ActorType, PersonType } from './types-consent.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type TextArray = ColumnType<string[], string[] | undefined, string[]>;

/** Accountability: exports and reads of people, incidents, detection, sub-processors, the register, DPIAs, training. */

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
