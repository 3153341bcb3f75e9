import type { ColumnType, Generated } from 'kysely';
import type { PersonType } from './types-consent.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** Retention rules, legal holds, sweeps. */

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
