import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { withTenant } from '../../src/db/tenant.ts';
import { FakeSalesforce } from '../support/fakes/salesforce.ts';
import { describeEachDatabase, signUp, type Client } from '../support/helpers.ts';

/**
 * Issue 25, finding 3: an opportunity's currency is Salesforce's, never an assumed EUR. In an org
 * with multiple currencies each record carries CurrencyIsoCode; otherwise the field does not exist
 * (selecting it is INVALID_FIELD) and every amount is in the org's DefaultCurrencyIsoCode
 * (Salesforce Help, "Considerations for Enabling Multiple Currencies"; Organization object).
 */
describeEachDatabase('Salesforce currencies', (env) => {
  const single = new FakeSalesforce();
  const multi = new FakeSalesforce();
  let admin: Client;
  before(async () => {
    await single.start();
    await multi.start();
    single.orgCurrency = 'JPY';
    single.seed('Opportunity', { Name: 'Yen deal', Amount: 1200000, StageName: 'Prospecting', CloseDate: '2027-01-31' });
    multi.multiCurrency = true;
    multi.seed('Opportunity', {
      Name: 'Pound deal',
      Amount: 900,
      CurrencyIsoCode: 'GBP',
      StageName: 'Prospecting',
      CloseDate: '2027-01-31',
    });
    multi.seed('Opportunity', {
      Name: 'Franc deal',
      Amount: 700,
      CurrencyIsoCode: 'CHF',
      StageName: 'Closed Won',
      CloseDate: '2027-01-31',
    });
    admin = await signUp(env());
  });
  after(async () => {
    await single.stop();
    await multi.stop();
  });

  const connect = async (fake: FakeSalesforce, label: string) => {
    const created = await admin.post('/api/v1/integrations', {
      kind: 'salesforce',
      label,
      baseUrl: fake.url,
      objects: ['Opportunity'],
      credentials: fake.oauthCredentials(),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await env().app.jobs.drain();
    assert.equal((await admin.get(`/api/v1/integrations/${created.body.id}`)).body.lastRun.state, 'succeeded');
  };
  const currencies = () =>
    withTenant(env().db, admin.info.workspace.id, async (tx) =>
      Object.fromEntries(
        (await tx.selectFrom('opportunities').select(['name', 'currency']).where('tenant_id', '=', admin.info.workspace.id).execute()).map(
          (o) => [o.name, o.currency],
        ),
      ),
    );

  it("reads the org's currency in a single-currency org, and each record's CurrencyIsoCode in a multi-currency one", async () => {
    await connect(single, 'Single-currency org');
    await connect(multi, 'Multi-currency org');
    assert.deepEqual(await currencies(), { 'Yen deal': 'JPY', 'Pound deal': 'GBP', 'Franc deal': 'CHF' });
  });
});
