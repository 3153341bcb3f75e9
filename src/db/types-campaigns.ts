import type { ColumnType, Generated } from 'kysely';
import type { PersonType } from './types-consent.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

/** Segments, templates, campaigns, recipients and the per-person copy of every email. */

export interface SegmentsTable {
  tenant_id: string;
  id: Generated<string>;
  name: string;
  object: PersonType;
  filter: Json<Record<string, unknown>>;
  hand_picked: Generated<boolean>;
  created_by: string;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

/** The people of a hand-picked segment (migration 0047): a contact or a lead, never both. */
export interface SegmentMembersTable {
  tenant_id: string;
  id: Generated<string>;
  segment_id: string;
  contact_id: string | null;
  lead_id: string | null;
  added_at: DefaultTimestamp;
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

export type EmailKind = 'campaign' | 'confirmation' | 'repermission' | 'dsr' | 'notice';

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

export interface CampaignsDB {
  segments: SegmentsTable;
  segment_members: SegmentMembersTable;
  email_templates: EmailTemplatesTable;
  campaigns: CampaignsTable;
  campaign_recipients: CampaignRecipientsTable;
  email_messages: EmailMessagesTable;
}
