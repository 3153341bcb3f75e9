/**
 * HTTP to an external CRM, made to survive what their APIs do: rate limits (429 with
 * Retry-After), passing server errors and network failures (exponential backoff with full
 * jitter), and OAuth access tokens that expire (refreshed once, then the request is repeated).
 * Every connector talks through this; it knows nothing of any one CRM.
 */

export type Credentials =
  | { kind: 'api_key'; token: string }
  | {
      kind: 'oauth2';
      accessToken: string;
      refreshToken: string;
      tokenUrl: string;
      clientId: string;
      clientSecret: string;
      apiRoot?: string;
    };

export interface HttpOptions {
  /** Attempts per request before giving up (rate limits and server errors count; a token refresh does not). */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A Retry-After longer than this is an outage, not a rate limit: the request fails. */
  maxRetryAfterMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Called with refreshed credentials, so they are stored (encrypted) before they are used again. */
  onCredentials?: (credentials: Credentials) => Promise<void>;
  timeoutMs?: number;
  /** How an API key travels (default: a bearer token); OAuth access tokens are always bearer tokens. */
  apiKeyHeaders?: (token: string) => Record<string, string>;
  /**
   * How the client authenticates at the token endpoint (RFC 6749 §2.3.1): HTTP Basic, which
   * every server must accept (Pipedrive requires it), or client_id and client_secret in the body.
   */
  clientAuthentication?: 'basic' | 'body';
  /**
   * Whether the API root a token response names (Salesforce's instance_url, Pipedrive's
   * api_domain) may be called: checked like the integration's own base URL. Without it, the
   * root is ignored.
   */
  acceptApiRoot?: (root: string) => Promise<boolean>;
}

/** One answer as an SDK's HTTP adapter needs it. */
export interface RawAnswer {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  text: string;
}

/**
 * The Authorization header of a client authenticating with HTTP Basic at a token, revocation or
 * authorization-code endpoint (RFC 6749 §2.3.1: id and secret form-urlencoded, then base64).
 */
export function basicClientAuthorization(clientId: string, clientSecret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

export class ConnectorError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly category: 'auth' | 'rate_limited' | 'server' | 'network' | 'rejected',
  ) {
    super(message);
  }
}

export interface HttpStats {
  requests: number;
  rateLimited: number;
  serverErrors: number;
  refreshes: number;
  waitedMs: number;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Full jitter: a random wait up to base × 2^attempt, capped (AWS architecture blog, "Exponential Backoff And Jitter"). */
export function backoffDelay(attempt: number, options: { baseDelayMs: number; maxDelayMs: number; random: () => number }): number {
  return Math.floor(options.random() * Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt));
}

/** Retry-After is either seconds or an HTTP date. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export class ConnectorHttp {
  readonly stats: HttpStats = { requests: 0, rateLimited: 0, serverErrors: 0, refreshes: 0, waitedMs: 0 };
  private readonly options: Required<Omit<HttpOptions, 'onCredentials' | 'apiKeyHeaders' | 'acceptApiRoot'>> &
    Pick<HttpOptions, 'onCredentials' | 'apiKeyHeaders' | 'acceptApiRoot'>;

  /** Where requests go: the API root the token named, once accepted, else the integration's base URL. */
  get root(): string {
    return this.credentials.kind === 'oauth2' && this.credentials.apiRoot ? this.credentials.apiRoot : this.baseUrl;
  }

  constructor(
    readonly baseUrl: string,
    private credentials: Credentials,
    options: HttpOptions = {},
  ) {
    this.options = {
      maxAttempts: options.maxAttempts ?? 8,
      baseDelayMs: options.baseDelayMs ?? 500,
      maxDelayMs: options.maxDelayMs ?? 30_000,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 300_000,
      sleep: options.sleep ?? sleepFor,
      random: options.random ?? Math.random,
      timeoutMs: options.timeoutMs ?? 30_000,
      onCredentials: options.onCredentials,
      apiKeyHeaders: options.apiKeyHeaders,
      clientAuthentication: options.clientAuthentication ?? 'body',
      acceptApiRoot: options.acceptApiRoot,
    };
  }

  async json<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const response = await this.send(method, path, body, headers);
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /**
   * A request an SDK built (body already serialised, its own headers), sent with this layer's
   * credentials, retries and refresh; a refusal is thrown as a ConnectorError.
   */
  async exchange(method: string, url: string, body: string | undefined, headers: Record<string, string>): Promise<RawAnswer> {
    // Credentials are this layer's to set on each attempt; the length is the body's own.
    const forwarded = Object.fromEntries(
      Object.entries(headers)
        .filter(([name]) => !['authorization', 'x-api-token', 'content-length'].includes(name.toLowerCase()))
        .map(([name, value]) => [name.toLowerCase(), value]),
    );
    const response = await this.send(method, url, body, forwarded, true);
    return {
      status: response.status,
      statusText: response.statusText,
      headers: Object.fromEntries(response.headers),
      text: await response.text(),
    };
  }

  private async wait(ms: number): Promise<void> {
    this.stats.waitedMs += ms;
    await this.options.sleep(ms);
  }

  private async send(method: string, path: string, body: unknown, headers: Record<string, string>, serialised = false): Promise<Response> {
    let refreshed = false;
    for (let attempt = 0; ;) {
      let response: Response;
      try {
        this.stats.requests += 1;
        response = await fetch(new URL(path, this.root), {
          method,
          headers: {
            accept: 'application/json',
            ...this.authHeaders(),
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...headers,
          },
          body: body === undefined ? undefined : serialised ? (body as string) : JSON.stringify(body),
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
      } catch (error) {
        attempt += 1;
        if (attempt >= this.options.maxAttempts)
          throw new ConnectorError(`${method} ${path}: ${(error as Error).message}`, null, 'network');
        await this.wait(backoffDelay(attempt, this.options));
        continue;
      }
      if (response.ok) return response;
      if (response.status === 401 && this.credentials.kind === 'oauth2' && !refreshed) {
        await response.body?.cancel();
        await this.refresh();
        refreshed = true;
        continue;
      }
      const detail = describe(await response.text().catch(() => ''), response.statusText);
      // Salesforce reports its concurrent-request limit as 403 REQUEST_LIMIT_EXCEEDED: a rate limit, not a refusal.
      const limited = response.status === 429 || (response.status === 403 && detail.code === 'REQUEST_LIMIT_EXCEEDED');
      if (limited || response.status >= 500) {
        attempt += 1;
        if (limited) this.stats.rateLimited += 1;
        else this.stats.serverErrors += 1;
        // Retry-After when sent; some APIs (Pipedrive) tell the seconds until their window resets instead.
        const told = limited
          ? (retryAfterMs(response.headers.get('retry-after')) ?? retryAfterMs(response.headers.get('x-ratelimit-reset')))
          : null;
        if (attempt >= this.options.maxAttempts)
          throw new ConnectorError(
            `${method} ${path} failed ${attempt} times: ${detail.message}`,
            response.status,
            limited ? 'rate_limited' : 'server',
          );
        if (told !== null && told > this.options.maxRetryAfterMs)
          throw new ConnectorError(`${method} ${path}: asked to wait ${Math.round(told / 1000)} s`, response.status, 'rate_limited');
        await this.wait(told ?? backoffDelay(attempt, this.options));
        continue;
      }
      throw new ConnectorError(
        `${method} ${path}: ${response.status} ${detail.message}`,
        response.status,
        response.status === 401 || response.status === 403 ? 'auth' : 'rejected',
      );
    }
  }

  private authHeaders(): Record<string, string> {
    if (this.credentials.kind === 'api_key' && this.options.apiKeyHeaders) return this.options.apiKeyHeaders(this.credentials.token);
    return { authorization: `Bearer ${this.credentials.kind === 'api_key' ? this.credentials.token : this.credentials.accessToken}` };
  }

  /** OAuth 2 refresh-token grant (RFC 6749 §6); a provider may rotate the refresh token too. */
  private async refresh(): Promise<void> {
    if (this.credentials.kind !== 'oauth2') return;
    const current = this.credentials;
    this.stats.refreshes += 1;
    const basic = this.options.clientAuthentication === 'basic';
    const response = await fetch(current.tokenUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        ...(basic ? { authorization: basicClientAuthorization(current.clientId, current.clientSecret) } : {}),
      },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: current.refreshToken,
        ...(basic ? {} : { client_id: current.clientId, client_secret: current.clientSecret }),
      }),
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    if (!response.ok)
      throw new ConnectorError(
        `token refresh refused: ${response.status} ${describe(await response.text().catch(() => ''), response.statusText).message}; reconnect the integration`,
        response.status,
        'auth',
      );
    const token = (await response.json()) as { access_token?: string; refresh_token?: string; api_domain?: string; instance_url?: string };
    if (!token.access_token) throw new ConnectorError('token refresh answered without an access token', response.status, 'auth');
    // Salesforce names the org's instance, Pipedrive the company's API root, with every token: it may move.
    const named = token.instance_url ?? token.api_domain;
    const apiRoot = named && (await this.options.acceptApiRoot?.(named)) ? named.replace(/\/+$/, '') : current.apiRoot;
    this.credentials = {
      ...current,
      accessToken: token.access_token,
      refreshToken: token.refresh_token ?? current.refreshToken,
      ...(apiRoot ? { apiRoot } : {}),
    };
    await this.options.onCredentials?.(this.credentials);
  }
}

/** The provider's own error message (and code), short: it goes into run statistics and the UI. */
function describe(text: string, statusText: string): { message: string; code: string | null } {
  try {
    const parsed = JSON.parse(text) as Record<string, unknown> | Array<Record<string, unknown>>;
    // Salesforce answers with an array of errors.
    const body = Array.isArray(parsed) ? (parsed[0] ?? {}) : parsed;
    const message = body.message ?? body.error_description ?? body.error;
    const code = typeof body.errorCode === 'string' ? body.errorCode : typeof body.category === 'string' ? body.category : null;
    if (typeof message === 'string') return { message: message.slice(0, 300), code };
  } catch {
    // not JSON
  }
  return { message: text.slice(0, 300) || statusText, code: null };
}
