import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** The job queue and the public rate limits. */

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

export interface PublicRateLimitsTable {
  key: string;
  hits: number;
  window_start: Timestamp;
}

export interface PlatformDB {
  jobs: JobsTable;
  job_schedules: JobSchedulesTable;
  public_rate_limits: PublicRateLimitsTable;
}
