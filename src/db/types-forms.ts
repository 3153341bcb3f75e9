import type { ColumnType, Generated } from 'kysely';
import type { PersonType } from './types-consent.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type TextArray = ColumnType<string[], string[] | undefined, string[]>;
type Json<T> = ColumnType<T, string, string>;

/** Forms, their versions and submissions, the cookie banner. */

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

export interface FormsDB {
  forms: FormsTable;
  form_versions: FormVersionsTable;
  form_submissions: FormSubmissionsTable;
  cookie_banners: CookieBannersTable;
}
