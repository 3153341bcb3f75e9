/** The untyped calls of the pages not yet moved to the typed client (api/client.ts); same session handling. */

import { ApiError, currentCsrfToken } from './api/client.ts';

export { ApiError, setCsrfToken } from './api/client.ts';

export async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  return send<T>(method, path, body === undefined ? undefined : { type: 'application/json', content: JSON.stringify(body) });
}

/** A file as the request's body (an import's CSV), with the same session handling as api(). */
export function postFile<T>(path: string, file: Blob, type = 'text/csv'): Promise<T> {
  return send<T>('POST', path, { type, content: file });
}

async function send<T>(
  method: string,
  path: string,
  body: { type: string; content: BodyInit } | undefined,
  signal?: AbortSignal,
): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = body.type;
  if (method !== 'GET') headers['x-csrf-token'] = currentCsrfToken();
  const send = () => fetch(path, { method, headers, credentials: 'same-origin', body: body?.content, signal });
  let response = await send();
  let data = response.status === 204 ? null : await response.json().catch(() => null);
  // The server refused the request before doing anything because the member's role, DPO flag or
  // second factor changed since the last request; the same request is answered afresh.
  if (response.status === 409 && data?.error === 'session_changed') {
    response = await send();
    data = response.status === 204 ? null : await response.json().catch(() => null);
  }
  if (response.status === 204) return undefined as T;
  if (!response.ok)
    throw new ApiError(response.status, data?.error ?? 'error', data?.message ?? response.statusText, data?.details ?? null);
  return data as T;
}

export const get = <T = any>(path: string, signal?: AbortSignal) => send<T>('GET', path, undefined, signal);
export const post = <T = any>(path: string, body: unknown = {}) => api<T>('POST', path, body);
export const patch = <T = any>(path: string, body: unknown) => api<T>('PATCH', path, body);
export const del = (path: string) => api<void>('DELETE', path);

export function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Session {
  user: { id: string; email: string; name: string; totpEnabled: boolean };
  workspace: { id: string; slug: string; name: string };
  member: { id: string; role: string; isDpo: boolean };
  workspaces: Array<{ id: string; slug: string; name: string }>;
  csrfToken: string;
  mfaEnrollmentRequired: boolean;
  permissions: string[];
}
