import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { revokeAtVendor } from '../../src/sync/revoke.ts';
import { FakeSalesforce } from '../support/fakes/salesforce.ts';

/** Issue 25, findings 5 and 8: what a disconnect asks of the vendor, and what the certificate can say about it. */
describe('revoking a connection at the vendor', () => {
  const salesforce = new FakeSalesforce();
  before(() => salesforce.start());
  after(() => salesforce.stop());

  it('revokes a Salesforce refresh token (RFC 7009), and reports a second attempt as refused', async () => {
    const tokens = salesforce.issueTokens();
    const credentials = {
      kind: 'oauth2' as const,
      ...tokens,
      tokenUrl: `${salesforce.url}/services/oauth2/token`,
      clientId: salesforce.clientId,
      clientSecret: salesforce.clientSecret,
    };
    assert.deepEqual(await revokeAtVendor('salesforce', credentials), {
      revoked: true,
      detail: 'Salesforce revoked the refresh token (HTTP 200)',
    });
    const again = await revokeAtVendor('salesforce', credentials);
    assert.equal(again.revoked, false);
    assert.match(again.detail, /^Salesforce refused the revocation \(HTTP 400\)/);
  });

  it('says an API key cannot be revoked through the API, and an unreachable vendor is not claimed revoked', async () => {
    const key = await revokeAtVendor('pipedrive', { kind: 'api_key', token: 'k' });
    assert.equal(key.revoked, false);
    assert.match(key.detail, /^not possible through the API/);
    const down = await revokeAtVendor('hubspot', {
      kind: 'oauth2',
      accessToken: 'a',
      refreshToken: 'r',
      tokenUrl: 'http://127.0.0.1:9/oauth/v1/token',
      clientId: 'c',
      clientSecret: 's',
    });
    assert.equal(down.revoked, false);
    assert.match(down.detail, /^HubSpot could not be reached/);
  });
});
