import crypto from 'node:crypto';

/**
 * The consent side of an OAuth 2 authorization server, shared by the fake CRMs: the test plays the
 * person clicking "Allow" on the consent screen (authorize), and the token endpoint redeems the
 * code once, checking what RFC 6749 §4.1.3 and RFC 7636 §4.6 require: the same client and
 * redirect_uri, and a code_verifier whose S256 hash is the challenge sent with the authorization.
 */
export class FakeAuthorizations {
  private readonly codes = new Map<string, { clientId: string; redirectUri: string; challenge: string | null; scope: string | null }>();
  /** The authorization requests seen, as the consent screen received them. */
  readonly requests: URLSearchParams[] = [];

  constructor(private readonly requirePkce: boolean) {}

  /** The person allows access: the code the vendor's redirect would carry, and the redirect itself. */
  authorize(authorizeUrl: string): { code: string; state: string; redirect: string } {
    const params = new URL(authorizeUrl).searchParams;
    this.requests.push(params);
    if (params.get('response_type') !== 'code') throw new Error('response_type must be code');
    const challenge = params.get('code_challenge');
    if (this.requirePkce && (!challenge || params.get('code_challenge_method') !== 'S256')) throw new Error('PKCE with S256 is required');
    const code = crypto.randomBytes(16).toString('hex');
    this.codes.set(code, {
      clientId: params.get('client_id') ?? '',
      redirectUri: params.get('redirect_uri') ?? '',
      challenge,
      scope: params.get('scope'),
    });
    const state = params.get('state') ?? '';
    const redirect = new URL(params.get('redirect_uri')!);
    redirect.searchParams.set('code', code);
    redirect.searchParams.set('state', state);
    return { code, state, redirect: `${redirect.pathname}${redirect.search}` };
  }

  /** The token endpoint's check of an authorization_code grant; null when it must be refused. */
  redeem(form: URLSearchParams, clientId: string): { scope: string | null } | null {
    const code = form.get('code') ?? '';
    const granted = this.codes.get(code);
    this.codes.delete(code);
    if (!granted || granted.clientId !== clientId || granted.redirectUri !== form.get('redirect_uri')) return null;
    if (granted.challenge) {
      const verifier = form.get('code_verifier') ?? '';
      if (crypto.createHash('sha256').update(verifier).digest('base64url') !== granted.challenge) return null;
    }
    return { scope: granted.scope };
  }
}
