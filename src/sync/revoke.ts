import type { ConnectorKind } from '../db/types-sync.ts';
import { basicClientAuthorization, type Credentials } from './http.ts';

/**
 * Asking the vendor to end the access a connection had, at disconnect. Deleting our copy of the
 * credentials stops us from using them; only the vendor can make them worthless to anyone else.
 * Endpoints, derived from the token URL the integration was allowed to call:
 * - HubSpot: DELETE /oauth/v1/refresh-tokens/{token} (HubSpot OAuth API, "Delete a refresh token");
 * - Salesforce: POST /services/oauth2/revoke, token=… (RFC 7009 token revocation);
 * - Pipedrive: POST /oauth/revoke, token=…&token_type_hint=refresh_token, client by HTTP Basic.
 * An API key (a private-app token) has no revocation endpoint: its owner rotates it in the vendor's settings.
 */

export interface Revocation {
  revoked: boolean;
  /** What happened at the vendor, in words a DPO can quote. */
  detail: string;
}

const VENDOR: Record<ConnectorKind, string> = {
  hubspot: 'HubSpot',
  salesforce: 'Salesforce',
  pipedrive: 'Pipedrive',
  csv: 'the drop folder',
};
const TIMEOUT_MS = 10_000;

function request(kind: ConnectorKind, credentials: Extract<Credentials, { kind: 'oauth2' }>): { url: string; init: RequestInit } | null {
  const token = credentials.refreshToken;
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  switch (kind) {
    case 'hubspot':
      return {
        url: credentials.tokenUrl.replace(/\/oauth\/v1\/token\/?$/, `/oauth/v1/refresh-tokens/${encodeURIComponent(token)}`),
        init: { method: 'DELETE' },
      };
    case 'salesforce':
      return {
        url: credentials.tokenUrl.replace(/\/token\/?$/, '/revoke'),
        init: { method: 'POST', headers: form, body: new URLSearchParams({ token }) },
      };
    case 'pipedrive': {
      const authorization = basicClientAuthorization(credentials.clientId, credentials.clientSecret);
      return {
        url: credentials.tokenUrl.replace(/\/oauth\/token\/?$/, '/oauth/revoke'),
        init: {
          method: 'POST',
          headers: { ...form, authorization },
          body: new URLSearchParams({ token, token_type_hint: 'refresh_token' }),
        },
      };
    }
    case 'csv':
      return null;
  }
}

export async function revokeAtVendor(kind: ConnectorKind, credentials: Credentials | null): Promise<Revocation> {
  const vendor = VENDOR[kind];
  if (kind === 'csv') return { revoked: false, detail: 'no credentials: a drop folder is read from disk' };
  if (!credentials) return { revoked: false, detail: `not asked: no credentials were stored (revoke any token in ${vendor}'s settings)` };
  if (credentials.kind === 'api_key')
    return {
      revoked: false,
      detail: `not possible through the API: an API key or private-app token is revoked by its owner in ${vendor}'s settings`,
    };
  const call = request(kind, credentials);
  if (!call || call.url === credentials.tokenUrl)
    return {
      revoked: false,
      detail: `not asked: ${vendor}'s revocation endpoint could not be derived from the token URL; revoke the app's access in ${vendor}'s settings`,
    };
  try {
    const response = await fetch(call.url, { ...call.init, signal: AbortSignal.timeout(TIMEOUT_MS) });
    await response.body?.cancel();
    // 404: the vendor no longer knows the token, which is what revocation wants.
    if (response.ok || response.status === 404)
      return { revoked: true, detail: `${vendor} revoked the refresh token (HTTP ${response.status})` };
    return {
      revoked: false,
      detail: `${vendor} refused the revocation (HTTP ${response.status}); revoke the app's access in ${vendor}'s settings`,
    };
  } catch (error) {
    return {
      revoked: false,
      detail: `${vendor} could not be reached (${(error as Error).message}); revoke the app's access in ${vendor}'s settings`,
    };
  }
}
