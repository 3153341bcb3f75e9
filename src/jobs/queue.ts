import crypto from 'node:crypto';
import os from 'node:os';
import { sql, type Selectable } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { inBackground } from '../db/priority.ts';
import type { Tx } from '../db/tenant.ts';
import type { JobsTable } from '../db/types-platform.ts';
import { withoutAddresses } from '../shared/redact.ts';

export type Job = Selectable<JobsTable>;

/** Runs one job. It must be resumable: after a crash the job runs again from its own checkpoint. */
export type JobHandler = (app: AppContext, job: Job, lease: Lease) => Promise<void>;

export interface Schedule {
  name: string;
  queue: string;
  everySeconds: number;
}

export interface Enqueue {
  queue: string;
  tenantId: string | null;
  payload?: Record<string, unknown>;
  runAt?: Date;
  /** While a job with this key is queued or running, enqueueing another one is a no-op. */
  singletonKey?: string;
  maxAttempts?: number;
}

/** Adds a job in the caller's transaction, so it exists exactly when the work that asked for it commits. */
export async function enqueue(tx: Tx, job: Enqueue): Promise<void> {
  await sql`
    insert into jobs (tenant_id, queue, payload, run_at, singleton_key, max_attempts)
    values (${job.tenantId}, ${job.queue}, ${JSON.stringify(job.payload ?? {})}::jsonb, ${job.runAt ?? new Date()},
            ${job.singletonKey ?? null}, ${job.maxAttempts ?? 5})
    on conflict (singleton_key) where state in ('queued', 'running') do nothing`.execute(tx);
}

/** A claimed job's lease: long jobs renew it between batches, so no other node takes the job over. */
export interface Lease {
  renew(): Promise<void>;
}

/**
 * The worker. Jobs live in PostgreSQL and are claimed with FOR UPDATE SKIP LOCKED, so several
 * app nodes share one queue and each job runs on one node at a time; a node that dies stops
 * renewing its lease and another node picks the job up when it runs out.
 */
export class JobWorker {
  readonly nodeId = `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly app: AppContext,
    private readonly handlers: Record<string, JobHandler>,
    private readonly schedules: Schedule[],
  ) {}

  /**
   * Registers the schedules (first run one interval from now) without touching their next tick,
   * and drops schedules this version no longer has (a renamed job would otherwise fire forever).
   */
  async installSchedules(): Promise<void> {
    const names = this.schedules.map((schedule) => schedule.name);
    await sql`delete from job_schedules where not (name = any(${names}::text[]))`.execute(this.app.db.kysely);
    for (const schedule of this.schedules) {
      await sql`
        insert into job_schedules (name, queue, every_seconds, next_run_at)
        values (${schedule.name}, ${schedule.queue}, ${schedule.everySeconds}, now() + make_interval(secs => ${schedule.everySeconds}))
        on conflict (name) do update set queue = excluded.queue, every_seconds = excluded.every_seconds`.execute(this.app.db.kysely);
    }
  }

  /** Enqueues the schedules that are due. Each tick is claimed by one UPDATE: one node wins it. */
  async tick(): Promise<number> {
    return inBackground(() => this.enqueueDue());
  }

  private async enqueueDue(): Promise<number> {
    return this.app.db.kysely.transaction().execute(async (tx) => {
      const due = await sql<{ name: string; queue: string }>`
        update job_schedules set next_run_at = now() + make_interval(secs => every_seconds)
        where next_run_at <= now() returning name, queue`.execute(tx);
      for (const schedule of due.rows) {
        await enqueue(tx, { queue: schedule.queue, tenantId: null, singletonKey: `schedule:${schedule.name}` });
      }
      return due.rows.length;
    });
  }

  /** Makes every schedule due now (operators' "run now"; tests). */
  async runSchedulesNow(): Promise<void> {
    await sql`update job_schedules set next_run_at = now()`.execute(this.app.db.kysely);
    await this.tick();
  }

  private async claim(): Promise<Job | undefined> {
    const { rows } = await sql<Job>`
      update jobs set state = 'running', locked_by = ${this.nodeId},
             locked_until = now() + make_interval(secs => ${this.app.config.jobLeaseSeconds}), attempts = attempts + 1
      where id = (
        select id from jobs
        where (state = 'queued' and run_at <= now()) or (state = 'running' and locked_until < now())
        order by run_at, id
        limit 1
        for update skip locked)
      returning *`.execute(this.app.db.kysely);
    return rows[0];
  }

  /** Claims and runs one due job; false when none is due. Jobs yield to requests (priority.ts). */
  runOne(): Promise<boolean> {
    return inBackground(() => this.claimAndRun());
  }

  private async claimAndRun(): Promise<boolean> {
    const job = await this.claim();
    if (!job) return false;
    const handler = this.handlers[job.queue];
    const lease: Lease = {
      renew: async () => {
        await sql`update jobs set locked_until = now() + make_interval(secs => ${this.app.config.jobLeaseSeconds})
                  where id = ${job.id} and locked_by = ${this.nodeId}`.execute(this.app.db.kysely);
      },
    };
    // A heartbeat keeps the lease while the handler runs, whatever it does between its own
    // renewals; a node that dies stops beating, and its job is taken over when the lease ends.
    // A renewal that fails is tried again a third of a lease later; the job's own error handling decides the rest.
    const heartbeat = setInterval(
      () =>
        void lease
          .renew()
          .catch((error: unknown) => console.error('job worker: lease renewal failed:', error instanceof Error ? error.message : error)),
      (this.app.config.jobLeaseSeconds * 1000) / 3,
    );
    try {
      try {
        if (!handler) throw new Error(`No handler for queue ${job.queue}`);
        await handler(this.app, job, lease);
      } finally {
        clearInterval(heartbeat);
      }
      await sql`update jobs set state = 'done', finished_at = now(), locked_by = null, locked_until = null, last_error = null
                where id = ${job.id} and locked_by = ${this.nodeId}`.execute(this.app.db.kysely);
    } catch (error) {
      const message = withoutAddresses(error instanceof Error ? error.message : String(error));
      // Exponential backoff with jitter: 2, 4, 8 ... seconds, ±50 %.
      const delaySeconds = 2 ** job.attempts * (0.5 + Math.random());
      await sql`
        update jobs set state = case when attempts >= max_attempts then 'failed' else 'queued' end,
               run_at = now() + make_interval(secs => ${delaySeconds}),
               finished_at = case when attempts >= max_attempts then now() end,
               locked_by = null, locked_until = null, last_error = ${message.slice(0, 2000)}
        where id = ${job.id} and locked_by = ${this.nodeId}`.execute(this.app.db.kysely);
    }
    return true;
  }

  /** Runs due schedules and jobs until nothing is due (tests, `lawful jobs run`). */
  async drain(): Promise<number> {
    await this.tick();
    let ran = 0;
    while (await this.runOne()) ran += 1;
    return ran;
  }

  /** Polls in the background; one loop per node. */
  start(pollMs = 1000): void {
    this.stopped = false;
    const loop = async () => {
      try {
        await this.tick();
        while (!this.stopped && (await this.runOne()));
      } catch (error) {
        console.error('job worker:', error instanceof Error ? error.message : error);
      }
      if (!this.stopped) this.timer = setTimeout(() => (this.running = loop()), pollMs);
    };
    this.running = loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
