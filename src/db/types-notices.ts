import type { ColumnType, Generated } from 'kysely';
import type { PersonType, ProvenanceSource } from './types-consent.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** Art. 14 transparency (migrations/0050): the notices people are owed, the sources they came from, the workspace's template. */

export type NoticeExemption = 'already_informed' | 'disproportionate_effort' | 'legal_obligation';

export interface NoticeSourcesTable {
  tenant_id: string;
  id: Generated<string>;
  source_type: ProvenanceSource;
  source_ref: string | null;
  label: string;
  publicly_accessible: Generated<boolean>;
  exemption: NoticeExemption | null;
  justification: string | null;
  assessment: string | null;
  recorded_by: string | null;
  recorded_at: DefaultTimestamp;
}

export interface Art14NoticesTable {
  tenant_id: string;
  id: Generated<string>;
  person_id: string;
  person_type: PersonType;
  source_type: ProvenanceSource;
  source_ref: string | null;
  obtained_at: Timestamp;
  due_at: Timestamp;
  due_reason: Generated<'one_month' | 'first_disclosure'>;
  sent_at: Timestamp | null;
  sent_via: 'notice' | 'campaign' | null;
  message_id: string | null;
  last_error: string | null;
}

export interface NoticeTemplatesTable {
  tenant_id: string;
  id: Generated<string>;
  subject: string;
  body: string;
  auto_send: Generated<boolean>;
  updated_by: string | null;
  updated_at: DefaultTimestamp;
}

export interface NoticesDB {
  notice_sources: NoticeSourcesTable;
  art14_notices: Art14NoticesTable;
  notice_templates: NoticeTemplatesTable;
}
