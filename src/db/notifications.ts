import type { PGlite } from '@electric-sql/pglite';
import type { Kysely } from 'kysely';
import pg from 'pg';

/** What a listener is told: each payload NOTIFYed on its channel, and when some may have been missed. */
export interface NotificationHandler {
  onMessage(payload: string): void;
  /** The connection was lost and is back: notifications sent meanwhile are gone. */
  onGap(): void;
}

export type StopListening = () => Promise<void>;

const RECONNECT_MS = [100, 500, 2_000, 5_000];

/**
 * LISTEN on PostgreSQL needs a connection of its own, held for as long as one listens (a pooled
 * one would be handed to a request). When it is lost, it reconnects with back-off and reports
 * the gap, since NOTIFY keeps nothing for a listener that was away.
 */
export async function listenOnPostgres(connectionString: string, channel: string, handler: NotificationHandler): Promise<StopListening> {
  let stopped = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString });
    next.on('notification', (message) => {
      if (message.channel === channel && message.payload !== undefined) handler.onMessage(message.payload);
    });
    const lost = () => {
      if (client === next) reconnect(0);
    };
    next.on('error', lost);
    next.on('end', lost);
    try {
      await next.connect();
      await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      await next.end().catch(() => {});
      throw error;
    }
    client = next;
  };

  const reconnect = (attempt: number): void => {
    if (stopped || retry) return;
    void client?.end().catch(() => {});
    client = undefined;
    retry = setTimeout(
      async () => {
        retry = undefined;
        if (stopped) return;
        try {
          await connect();
          handler.onGap();
        } catch {
          reconnect(attempt + 1);
        }
      },
      RECONNECT_MS[Math.min(attempt, RECONNECT_MS.length - 1)],
    );
  };

  await connect();
  return async () => {
    stopped = true;
    if (retry) clearTimeout(retry);
    const last = client;
    client = undefined;
    await last?.end().catch(() => {});
  };
}

/**
 * PGlite is one in-process connection: LISTEN is issued while holding it (see PGliteDialect), so
 * it never lands inside another caller's transaction, where a rollback would undo it.
 */
export async function listenOnPGlite(
  pglite: PGlite,
  kysely: Kysely<never>,
  channel: string,
  handler: NotificationHandler,
): Promise<StopListening> {
  const unlisten = await kysely.connection().execute(() => pglite.listen(channel, handler.onMessage));
  return async () => {
    await kysely.connection().execute(() => unlisten());
  };
}
