import type { ColumnType, Generated } from 'kysely';
import type { ActorType } from './types-consent.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** Data subject requests, evidence, erasure tombstones, portal links. */

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
