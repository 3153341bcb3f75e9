import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type TextArray = ColumnType<string[], string[] | undefined, string[]>;
type Json<T> = ColumnType<T, string | undefined, string>;

export type ConnectorKind = 'hubspot' | 'salesforce' | 'pipedrive' | 'csv';
export type ActingAs = 'controller' | 'processor';
export type IntegrationStatus = 'active' | 'needs_reconnect' | 'disconnecting' | 'disconnected';
export type SyncRecordType = 'account' | 'contact' | 'lead' | 'opportunity' | 'task';
export type LinkOrigin = 'created' | 'matched';
export type MatchRule = 'domain' | 'name' | 'fuzzy_name' | 'email' | 'review' | 'pushed';
export type SyncMode = 'initial' | 'incremental';
export type SyncRunState = 'queued' | 'running' | 'succeeded' | 'failed';

export interface ObjectCounts {
  fetched: number;
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  failed: number;
}
export type SyncPhase = 'changes' | 'reconcile' | 'deletions';
export interface SyncCheckpoint {
  objectIndex?: number;
  phase?: SyncPhase;
  cursor?: string | null;
}
export interface SyncFailure {
  object: string;
  externalId: string;
  reason: string;
  /** The record was stored, without the values the reason names. */
  stored?: boolean;
}
export interface PurgeCertificate {
  startedAt: string;
  /** null while the purge is running. */
  finishedAt: string | null;
  /** Lawful CRM's own copy of the credentials was deleted (at the disconnect). */
  credentialsDeleted: boolean;
  /** The vendor was told to revoke the token; false when it was not asked or refused. */
  credentialsRevoked: boolean;
  /** What happened at the vendor, in words a DPO can quote. */
  credentialsRevocation: string;
  /** Per external object; after = what remains of it here: links, and records whose provenance still names this connection. */
  objects: Record<string, { recordType?: SyncRecordType; before: number; deleted: number; unlinked: number; after: number }>;
  /** Records that remain with this connection as their source, and why they were not purged. */
  kept: Array<{ recordType: 'contact' | 'lead'; count: number; reason: string }>;
  /** Erasures owed to the CRM and never carried out there (the disconnect was confirmed anyway). */
  owedErasuresAbandoned?: number;
  /** Contacts converted here from this connection's leads, counted when the purge began. */
  convertedLeads?: number;
}

export interface IntegrationsTable {
  tenant_id: string;
  id: string;
  kind: ConnectorKind;
  label: string;
  base_url: string;
  credentials_enc: string | null;
  acting_as: Generated<ActingAs>;
  sells_or_shares: Generated<boolean>;
  purpose_id: string | null;
  objects: TextArray;
  sync_every_seconds: Generated<number>;
  next_sync_at: Timestamp | null;
  synced_until: Timestamp | null;
  connected_by: string;
  status: Generated<IntegrationStatus>;
  status_reason: string | null;
  created_at: DefaultTimestamp;
  disconnected_at: Timestamp | null;
  purge_certificate: ColumnType<PurgeCertificate | null, string | null | undefined, string | null>;
  reconciled_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  vendor_revocation: ColumnType<{ revoked: boolean; detail: string; at: string } | null, string | null | undefined, string | null>;
}

export interface SyncLinksTable {
  tenant_id: string;
  integration_id: string;
  object: string;
  external_id: string;
  record_type: SyncRecordType;
  record_id: string;
  origin: LinkOrigin;
  match_rule: MatchRule | null;
  filled_fields: TextArray;
  content_hash: string;
  external_updated_at: Timestamp | null;
  synced_at: DefaultTimestamp;
}

export interface SyncRunsTable {
  tenant_id: string;
  id: Generated<string>;
  integration_id: string;
  mode: SyncMode;
  state: Generated<SyncRunState>;
  changes_since: Timestamp | null;
  checkpoint: Json<SyncCheckpoint>;
  stats: Json<Record<string, ObjectCounts>>;
  failures: Json<SyncFailure[]>;
  requests: Generated<number>;
  rate_limited: Generated<number>;
  error: string | null;
  requested_by: string | null;
  created_at: DefaultTimestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  held_deletions: Json<HeldDeletion[]>;
  failures_total: Generated<number>;
  allow_mass_deletion: Generated<boolean>;
  reconcile: ColumnType<boolean | null, boolean | null | undefined, boolean | null>;
  full_resync: Generated<boolean>;
}

/** Deletions a run did not apply because the export looked incomplete (migration 0037). */
export interface HeldDeletion {
  object: string;
  linked: number;
  unseen: number;
  reason: string;
}

export interface SyncMatchReviewsTable {
  tenant_id: string;
  id: Generated<string>;
  integration_id: string;
  object: string;
  external_id: string;
  record_type: 'account' | 'contact';
  record_id: string;
  candidate_ids: string[];
  rule: Exclude<MatchRule, 'review' | 'pushed'>;
  explanation: string;
  created_at: DefaultTimestamp;
  resolved_at: Timestamp | null;
  resolved_by: string | null;
  resolution: 'merged' | 'kept_separate' | null;
  merged_into: string | null;
}

export interface SyncErasuresTable {
  tenant_id: string;
  id: Generated<string>;
  integration_id: string;
  object: string;
  external_id: string;
  requested_at: DefaultTimestamp;
  attempts: Generated<number>;
  last_error: string | null;
  request_id: string | null;
}

export interface OauthConnectStatesTable {
  tenant_id: string;
  id: Generated<string>;
  state_hash: string;
  kind: 'hubspot' | 'salesforce' | 'pipedrive';
  member_id: string;
  settings: Json<Record<string, unknown>>;
  code_verifier: string | null;
  created_at: DefaultTimestamp;
  expires_at: Date | string;
}

export interface SyncErasureReceiptsTable {
  tenant_id: string;
  id: Generated<string>;
  integration_id: string;
  request_id: string | null;
  object: string;
  method: 'gdpr_delete' | 'hard_delete' | 'delete';
  permanent: boolean;
  note: string;
  done_at: DefaultTimestamp;
}

export type RightsOperation = 'rectification' | 'objection';

export interface SyncRightsOwedTable {
  tenant_id: string;
  id: Generated<string>;
  integration_id: string;
  request_id: string | null;
  operation: RightsOperation;
  record_type: 'contact' | 'lead';
  record_id: string;
  requested_at: DefaultTimestamp;
  attempts: Generated<number>;
  last_error: string | null;
}

export interface SyncRightsReceiptsTable {
  tenant_id: string;
  id: Generated<string>;
  integration_id: string;
  request_id: string | null;
  operation: RightsOperation;
  object: string;
  answer: string;
  done_at: DefaultTimestamp;
}

export interface BackupDrillsTable {
  id: Generated<string>;
  backup_id: string;
  backup_taken_at: Timestamp;
  ran_at: DefaultTimestamp;
  ok: boolean;
  rows_restored: string | number | null;
  seconds: string | number;
  error: string | null;
}

export interface SyncDB {
  backup_drills: BackupDrillsTable;
  sync_erasures: SyncErasuresTable;
  integrations: IntegrationsTable;
  sync_links: SyncLinksTable;
  sync_runs: SyncRunsTable;
  sync_erasure_receipts: SyncErasureReceiptsTable;
  sync_rights_owed: SyncRightsOwedTable;
  sync_rights_receipts: SyncRightsReceiptsTable;
  oauth_connect_states: OauthConnectStatesTable;
  sync_match_reviews: SyncMatchReviewsTable;
}
