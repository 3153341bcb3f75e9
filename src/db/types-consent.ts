import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type TextArray = ColumnType<string[], string[] | undefined, string[]>;

/** Purposes, the consent ledger, restrictions, suppressions, refusals, soft opt-in. */

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
}

/** Where a person's record came from (provenance). */
export type ProvenanceSource = 'form' | 'import' | 'api' | 'connector' | 'manual' | 'third_party';
