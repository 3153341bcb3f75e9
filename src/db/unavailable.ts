/**
 * Errors that mean the database is not there (a restart, a terminated backend, a network cut) or
 * cannot store more (a full disk), as opposed to errors about the request. The first are the
 * server's temporary trouble — 503 with Retry-After, a job retried — never a 500 or a crash.
 * SQLSTATE classes: PostgreSQL manual, Appendix A "PostgreSQL Error Codes".
 */
export interface Unavailable {
  status: 503 | 507;
  code: 'database_unavailable' | 'storage_full';
  message: string;
  retryAfterSeconds: number;
}

const STORAGE_FULL = new Set(['53100']); // disk_full
// 57P01 admin_shutdown (also pg_terminate_backend), 57P02 crash_shutdown, 57P03 cannot_connect_now,
// 53300 too_many_connections, 53200 out_of_memory.
const UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '53300', '53200']);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const DRIVER_MESSAGES = [
  /Connection terminated/i,
  /connection error and is not queryable/i,
  /timeout exceeded when trying to connect/i,
  /Client was closed and is not queryable/i,
];

export function databaseUnavailable(error: unknown): Unavailable | null {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && STORAGE_FULL.has(code)) {
    return {
      status: 507,
      code: 'storage_full',
      message: 'The database has no space left to store this; an operator must free disk space. Nothing was changed.',
      retryAfterSeconds: 60,
    };
  }
  const lost =
    (typeof code === 'string' && (UNAVAILABLE.has(code) || code.startsWith('08') || NETWORK.has(code))) ||
    (typeof message === 'string' && DRIVER_MESSAGES.some((pattern) => pattern.test(message)));
  return lost
    ? {
        status: 503,
        code: 'database_unavailable',
        message: 'The database is unavailable for a moment; nothing was changed. Try again shortly.',
        retryAfterSeconds: 5,
      }
    : null;
}
