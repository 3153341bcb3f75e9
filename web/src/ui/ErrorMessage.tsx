import { ApiError } from '../api/client.ts';

/** The server's message for a refused request, or what went wrong otherwise; nothing when there is no error. */
export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof ApiError ? error.message : error instanceof Error ? error.message : String(error);
  return (
    <p className="error" role="alert">
      {message}
    </p>
  );
}
