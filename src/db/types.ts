import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { Role } from '../auth/roles.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Bytes = ColumnType<Uint8Array, Uint8Array, Uint8Array>;

export interface TenantsTable {
  id: string;
  slug: string;
  name: string;
  require_admin_totp: Generated<boolean>;
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

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  checksum: string;
  applied_at: DefaultTimestamp;
}

export interface DB {
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
  schema_migrations: SchemaMigrationsTable;
}

export type Member = Selectable<MembersTable>;
export type User = Selectable<UsersTable>;
export type Tenant = Selectable<TenantsTable>;
export type AuditEventRow = Selectable<AuditEventsTable>;
export type NewAuditEvent = Insertable<AuditEventsTable>;
