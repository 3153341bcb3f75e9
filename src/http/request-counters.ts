import { sql } from 'kysely';
import type { Database } from '../db/connection.ts';
import { withUser } from '../db/tenant.ts';
import { tooManyRequests } from './errors.ts';
import type { PublicLimit } from './public-limits.ts';

/** How often a node adds its hits to the shared counters and learns the other nodes' hits. */
export const FLUSH_EVERY_MS = 1000;

interface Counter {
  /** Hits the database knew of at the last flush, all nodes together. */
  shared: number;
  /** Hits on this node not yet added to the database. */
  pending: number;
  windowStart: number;
  windowSeconds: number;
}

/**
 * The per-request API limits (per address, per member or token), counted without a database
 * round trip per request: each node counts in memory and, every second, adds its hits to the
 * same public_rate_limits rows the exact limits use and reads back the total of all nodes.
 * One node enforces its limits exactly; several nodes together may let through at most about a
 * second of the other nodes' traffic beyond a limit, and a node that dies loses at most a second
 * of counts. The low-volume limits that guard passwords and public forms stay exact
 * (hitPublicLimits), with one upsert per request.
 */
export class RequestCounters {
  private readonly counters = new Map<string, Counter>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly db: Database) {
    // A failed flush is retried at the next tick (the hits stay pending); it is said, not hidden.
    this.timer = setInterval(
      () =>
        void this.flush().catch((error: unknown) =>
          console.error('rate limits: flush failed, retried in a second:', error instanceof Error ? error.message : error),
        ),
      FLUSH_EVERY_MS,
    );
    this.timer.unref();
  }

  /** Counts a hit on each key and refuses with 429 + Retry-After once one is over its limit. */
  hit(limits: PublicLimit[], message: string): void {
    const now = Date.now();
    for (const limit of limits) {
      let counter = this.counters.get(limit.key);
      if (!counter || now >= counter.windowStart + counter.windowSeconds * 1000) {
        counter = { shared: 0, pending: counter?.pending ?? 0, windowStart: now, windowSeconds: limit.windowSeconds };
        this.counters.set(limit.key, counter);
      }
      counter.pending++;
      if (counter.shared + counter.pending > limit.max) {
        throw tooManyRequests(message, (counter.windowStart + counter.windowSeconds * 1000 - now) / 1000);
      }
    }
  }

  /** Adds this node's pending hits to the shared rows and takes back the totals; one statement per window length. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.flushNow());
    return this.flushing;
  }

  private async flushNow(): Promise<void> {
    const now = Date.now();
    const byWindow = new Map<number, Array<[string, Counter]>>();
    for (const [key, counter] of this.counters) {
      if (counter.pending > 0) {
        const group = byWindow.get(counter.windowSeconds) ?? [];
        group.push([key, counter]);
        byWindow.set(counter.windowSeconds, group);
      } else if (now >= counter.windowStart + counter.windowSeconds * 1000) {
        this.counters.delete(key);
      }
    }
    for (const [windowSeconds, group] of byWindow) {
      const sent = group.map(([, counter]) => counter.pending);
      const totals = await withUser(this.db, null, async (tx) => {
        const { rows } = await sql<{ key: string; hits: number; window_start: Date }>`
          insert into public_rate_limits (key, hits, window_start)
          select key, hits, now() from unnest(${group.map(([key]) => key)}::text[], ${sent}::int[]) as added (key, hits)
          on conflict (key) do update set
            hits = case when public_rate_limits.window_start < now() - make_interval(secs => ${windowSeconds}) then excluded.hits else public_rate_limits.hits + excluded.hits end,
            window_start = case when public_rate_limits.window_start < now() - make_interval(secs => ${windowSeconds}) then now() else public_rate_limits.window_start end
          returning key, hits, window_start`.execute(tx);
        return new Map(rows.map((row) => [row.key, row]));
      });
      group.forEach(([key, counter], i) => {
        const total = totals.get(key);
        counter.pending -= sent[i]!;
        if (!total) return;
        counter.shared = total.hits;
        counter.windowStart = new Date(total.window_start).getTime();
      });
    }
  }

  /** Stops the timer after a last flush, so no hit is lost when a node shuts down. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
