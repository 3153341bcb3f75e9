import crypto from 'node:crypto';
import type { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { asCaller, type Caller } from '../auth/context.ts';
import { unprocessable } from '../http/errors.ts';
import { checkDestination, DestinationRefused } from './destinations.ts';
import { basicClientAuthorization } from './http.ts';
import { createIntegration } from './integrations.ts';
import type { oauthStartInput } from './schema.ts';

/**
 * "Connect HubSpot" as a normal user does it: the OAuth 2 authorization-code flow (RFC 6749
 * §4.1). Start: a pending connection with a random state (stored hashed, single use, ten
 * minutes) and, where the vendor supports it, a PKCE verifier (RFC 7636, S256); the browser goes
 * to the vendor's consent screen. Callback: the vendor redirects back with a code and the state;
 * the state must match a pending connection of the same member (RFC 6749 §10.12: it is what
 * stops a forged callback), the code is exchanged for tokens, and the integration is created with
 * them sealed, exactly as if they had been pasted.
 */

type OAuthKind = 'hubspot' | 'salesforce' | 'pipedrive';

interface Vendor {
  authorizeUrl: string;
  tokenUrl: string;
  /** What the connector needs; Pipedrive grants the scopes chosen on the app itself. */
  scopes: string[];
  pkce: boolean;
  /** How the client authenticates when exchanging the code (RFC 6749 §2.3.1). */
  clientAuthentication: 'basic' | 'body';
}

/**
 * Vendors' documented endpoints and the scopes each connector uses:
 * HubSpot https://developers.hubspot.com/docs/api/oauth-quickstart-guide (no PKCE);
 * Salesforce "OAuth 2.0 Web Server Flow" (PKCE supported); Pipedrive "OAuth authorization"
 * (client by HTTP Basic at the token endpoint; scopes set on the app).
 */
export const OAUTH_VENDORS: Record<OAuthKind, Vendor> = {
  hubspot: {
    authorizeUrl: 'https://app.hubspot.com/oauth/authorize',
    tokenUrl: 'https://api.hubapi.com/oauth/v1/token',
    scopes: [
      'oauth',
      'crm.objects.contacts.read',
      'crm.objects.contacts.write',
      'crm.objects.companies.read',
      'crm.objects.companies.write',
      'crm.objects.deals.read',
      'crm.objects.deals.write',
      'crm.schemas.deals.read',
    ],
    pkce: false,
    clientAuthentication: 'body',
  },
  salesforce: {
    authorizeUrl: 'https://login.salesforce.com/services/oauth2/authorize',
    tokenUrl: 'https://login.salesforce.com/services/oauth2/token',
    scopes: ['api', 'refresh_token'],
    pkce: true,
    clientAuthentication: 'body',
  },
  pipedrive: {
    authorizeUrl: 'https://oauth.pipedrive.com/oauth/authorize',
    tokenUrl: 'https://oauth.pipedrive.com/oauth/token',
    scopes: [],
    pkce: false,
    clientAuthentication: 'basic',
  },
};

const STATE_MINUTES = 10;
const sha256 = (value: string) => crypto.createHash('sha256').update(value).digest('base64url');

export function redirectUri(app: AppContext): string {
  return `${app.config.publicUrl}/api/v1/integrations/oauth/callback`;
}

function appFor(app: AppContext, kind: OAuthKind) {
  const configured = app.config.oauthApps[kind];
  if (!configured) return null;
  const vendor = OAUTH_VENDORS[kind];
  return {
    ...vendor,
    clientId: configured.clientId,
    clientSecret: configured.clientSecret,
    authorizeUrl: configured.authorizeUrl ?? vendor.authorizeUrl,
    tokenUrl: configured.tokenUrl ?? vendor.tokenUrl,
  };
}

/** Which vendors this installation can connect by sign-in, with the scopes asked for. */
export function oauthApps(app: AppContext) {
  return {
    redirectUri: redirectUri(app),
    items: (Object.keys(OAUTH_VENDORS) as OAuthKind[]).map((kind) => ({
      kind,
      configured: Boolean(app.config.oauthApps[kind]),
      scopes: OAUTH_VENDORS[kind].scopes,
      pkce: OAUTH_VENDORS[kind].pkce,
    })),
  };
}

export function startOAuth(app: AppContext, caller: Caller, input: z.infer<typeof oauthStartInput>) {
  return asCaller(app, caller, async (tx, audit) => {
    const vendor = appFor(app, input.kind);
    if (!vendor)
      throw unprocessable(
        `This installation has no ${input.kind} OAuth app: set LAWFUL_OAUTH_${input.kind.toUpperCase()}_CLIENT_ID and _CLIENT_SECRET, or connect with a token.`,
        { field: 'kind' },
      );
    const state = crypto.randomBytes(32).toString('base64url');
    const verifier = vendor.pkce ? crypto.randomBytes(48).toString('base64url') : null;
    const { kind, ...settings } = input;
    await tx
      .insertInto('oauth_connect_states')
      .values({
        tenant_id: caller.auth.tenantId,
        state_hash: sha256(state),
        kind,
        member_id: caller.auth.memberId,
        settings: JSON.stringify(settings),
        code_verifier: verifier,
        expires_at: new Date(Date.now() + STATE_MINUTES * 60_000),
      })
      .execute();
    await tx
      .deleteFrom('oauth_connect_states')
      .where('tenant_id', '=', caller.auth.tenantId)
      .where('expires_at', '<', new Date())
      .execute();
    const url = new URL(vendor.authorizeUrl);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', vendor.clientId);
    url.searchParams.set('redirect_uri', redirectUri(app));
    url.searchParams.set('state', state);
    if (vendor.scopes.length > 0) url.searchParams.set('scope', vendor.scopes.join(' '));
    if (verifier) {
      url.searchParams.set('code_challenge', sha256(verifier));
      url.searchParams.set('code_challenge_method', 'S256');
    }
    await audit({ action: 'integration.oauth_start', objectType: 'integration', objectId: null, fields: [`kind:${kind}`] });
    return { authorizeUrl: url.toString(), expiresAt: new Date(Date.now() + STATE_MINUTES * 60_000).toISOString(), scopes: vendor.scopes };
  });
}

export class OAuthRefused extends Error {}

/** The vendor's redirect back: the pending connection it belongs to, the code exchanged, the integration created. */
export async function finishOAuth(
  app: AppContext,
  caller: Caller,
  query: { state?: string | undefined; code?: string | undefined; error?: string | undefined; error_description?: string | undefined },
) {
  if (!query.state) throw new OAuthRefused('The sign-in came back without its state: start again from the CRM sync page.');
  const pending = await asCaller(app, caller, async (tx) => {
    const row = await tx
      .deleteFrom('oauth_connect_states')
      .where('tenant_id', '=', caller.auth.tenantId)
      .where('state_hash', '=', sha256(query.state!))
      .returningAll()
      .executeTakeFirst();
    if (!row || row.member_id !== caller.auth.memberId || new Date(row.expires_at).getTime() < Date.now()) return null;
    return row;
  });
  if (!pending)
    throw new OAuthRefused(
      'This sign-in is unknown, was already used, belongs to someone else or took longer than ten minutes: start again from the CRM sync page.',
    );
  if (query.error) throw new OAuthRefused(`${pending.kind} refused the connection: ${query.error_description ?? query.error}`);
  if (!query.code) throw new OAuthRefused(`${pending.kind} came back without an authorization code.`);
  const vendor = appFor(app, pending.kind);
  if (!vendor) throw new OAuthRefused(`This installation no longer has a ${pending.kind} OAuth app.`);
  try {
    await checkDestination(app.config, pending.kind, vendor.tokenUrl, 'tokenUrl');
  } catch (error) {
    if (error instanceof DestinationRefused) throw new OAuthRefused(error.message);
    throw error;
  }
  const basic = vendor.clientAuthentication === 'basic';
  const response = await fetch(vendor.tokenUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      ...(basic ? { authorization: basicClientAuthorization(vendor.clientId, vendor.clientSecret) } : {}),
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: query.code,
      redirect_uri: redirectUri(app),
      ...(basic ? {} : { client_id: vendor.clientId, client_secret: vendor.clientSecret }),
      ...(pending.code_verifier ? { code_verifier: pending.code_verifier } : {}),
    }),
    signal: AbortSignal.timeout(15_000),
  });
  const token = (await response.json().catch(() => ({}))) as {
    access_token?: string;
    refresh_token?: string;
    instance_url?: string;
    api_domain?: string;
    error?: string;
    error_description?: string;
  };
  if (!response.ok || !token.access_token || !token.refresh_token) {
    throw new OAuthRefused(
      `${pending.kind} did not give tokens for the code (HTTP ${response.status}${token.error ? `: ${token.error_description ?? token.error}` : ''}).`,
    );
  }
  const settings = pending.settings as Omit<z.infer<typeof oauthStartInput>, 'kind'>;
  // Salesforce names the org's instance, Pipedrive the company's API root: that is the base URL.
  const baseUrl = token.instance_url ?? token.api_domain ?? settings.baseUrl;
  return createIntegration(app, caller, {
    kind: pending.kind,
    label: settings.label,
    ...(settings.objects ? { objects: settings.objects } : {}),
    syncEveryHours: settings.syncEveryHours,
    actingAs: settings.actingAs,
    sellsOrShares: settings.sellsOrShares,
    purposeId: settings.purposeId,
    ...(baseUrl ? { baseUrl: baseUrl.replace(/\/+$/, '') } : {}),
    credentials: {
      kind: 'oauth2',
      accessToken: token.access_token,
      refreshToken: token.refresh_token,
      tokenUrl: vendor.tokenUrl,
      clientId: vendor.clientId,
      clientSecret: vendor.clientSecret,
    },
  });
}
