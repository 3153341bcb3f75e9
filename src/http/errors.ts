import { z } from 'zod';

/**
 * Every `error` the API answers with: a closed list, so clients can switch on it (it is the
 * `Error` schema of /openapi.json) and the compiler refuses a code no client knows.
 */
export const ERROR_CODES = [
  // The request itself
  'bad_request',
  'validation_error',
  'invalid_text',
  'too_deep',
  'unsupported_media_type',
  'payload_too_large',
  'unprocessable',
  'invalid_reference',
  'not_found',
  'conflict',
  'too_many_requests',
  // Who is asking
  'unauthenticated',
  'invalid_credentials',
  'no_workspace',
  'totp_required',
  'invalid_totp',
  'second_factor_required',
  'reauthentication_failed',
  'session_changed',
  'session_required',
  'data_subject_only',
  'forbidden',
  'csrf_failed',
  'insufficient_scope',
  'totp_enrollment_required',
  'cross_site_refused',
  'origin_not_allowed',
  'signup_disabled',
  'invalid_signup_link',
  'invalid_invitation',
  'invitation_for_another_account',
  'sign_in_to_accept',
  // The product's rules
  'not_direct_marketing',
  'sender_identity_required',
  'connector_unavailable',
  // The server's state
  'database_unavailable',
  'storage_full',
  'not_ready',
  'import_interrupted',
  'internal_error',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The body of every error answer. */
export const errorBody = z.object({
  error: z.enum(ERROR_CODES),
  message: z.string().describe('For a person to read'),
  details: z.unknown().describe('Machine-readable specifics (the field, the line, the limit), or null'),
});

/** An error's body, for the few answers sent without throwing (HTML pages' JSON fallbacks, health checks). */
export const errorAnswer = (error: ErrorCode, message: string, details: unknown = null): z.infer<typeof errorBody> => ({
  error,
  message,
  details,
});

/** An error meant for the client: it becomes `{error, message, details}` with its status. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details: unknown = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details: unknown = null) => new AppError(400, 'bad_request', message, details);
export const unauthorized = (code: ErrorCode, message: string) => new AppError(401, code, message);
export const forbidden = (message: string, code: ErrorCode = 'forbidden') => new AppError(403, code, message);
export const notFound = (what: string) => new AppError(404, 'not_found', `${what} not found`);
export const conflict = (message: string, details: unknown = null) => new AppError(409, 'conflict', message, details);
export const unprocessable = (message: string, details: unknown = null) => new AppError(422, 'unprocessable', message, details);
export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  new AppError(
    429,
    'too_many_requests',
    message,
    { retryAfterSeconds },
    { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  );

/** PostgreSQL unique_violation, as both drivers report it. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string; message?: string };
  if (e?.code !== '23505') return false;
  return constraint === undefined || e.constraint === constraint || Boolean(e.message?.includes(constraint));
}
