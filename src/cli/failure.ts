import { databaseUnavailable } from '../db/unavailable.ts';

/**
 * One line an operator can act on, whatever was thrown: the embedded database throws plain
 * objects and numbers as well as Errors (a start on a full disk used to print "undefined").
 */
export function describeFailure(error: unknown): string {
  const fields = typeof error === 'object' && error !== null ? (error as { message?: unknown; code?: unknown; errno?: unknown }) : {};
  const text =
    typeof fields.message === 'string' && fields.message
      ? fields.message
      : typeof error === 'string' || typeof error === 'number'
        ? String(error)
        : (JSON.stringify(error) ?? String(error));
  if (fields.code === 'ENOSPC' || /ENOSPC|no space left on device|disk full|could not extend file/i.test(text)) {
    return `the disk is full (${text}); free space where the data directory or the database lives, then start again`;
  }
  const unavailable = databaseUnavailable(error);
  if (unavailable?.code === 'database_unavailable')
    return `the database does not answer (${text}); check DATABASE_URL and that PostgreSQL is running`;
  return text;
}
