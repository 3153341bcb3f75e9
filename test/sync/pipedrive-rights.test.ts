import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pipedriveConnector } from '../../src/sync/pipedrive/connector.ts';
import { FakePipedrive } from '../support/fakes/pipedrive.ts';

/**
 * An objection to direct marketing carried into Pipedrive (Art. 21(3): the data "shall no longer
 * be processed for such purposes"): Pipedrive keeps the marketing status on the person
 * ("unsubscribed: the customers have unsubscribed from ALL marketing communications", the SDK's
 * UpdatePersonRequest.marketing_status); a lead has none of its own, so its person is unsubscribed.
 */
describe('Pipedrive: rights carried into it', () => {
  const fake = new FakePipedrive();
  before(() => fake.start());
  after(() => fake.stop());
  const connector = () =>
    pipedriveConnector({ baseUrl: fake.url, credentials: { kind: 'api_key', token: fake.issueToken() }, onCredentials: async () => {} });
  const person = (first: string) =>
    fake.seed('persons', {
      name: `${first} Pipe`,
      first_name: first,
      last_name: 'Pipe',
      emails: [{ value: `${first.toLowerCase()}@pipe.example`, primary: true, label: 'work' }],
      phones: [],
    });
  const statusOf = (id: number) => (fake.objects.persons.get(String(id)) as unknown as { marketing_status?: string }).marketing_status;

  it('sets the marketing status of a person to "unsubscribed" through the SDK', async () => {
    const olga = person('Olga');
    const receipt = await connector().optOut('persons', String(olga.id));
    assert.equal(statusOf(olga.id!), 'unsubscribed');
    assert.equal(receipt.answer, 'marketing status set to "unsubscribed" on the person in Pipedrive');
  });

  it("sets the lead's person's, and says so when the lead names no person", async () => {
    const lena = person('Lena');
    const lead = fake.seed('leads', { title: 'Lena lead', person_id: lena.id! });
    const receipt = await connector().optOut('leads', lead.id!);
    assert.equal(statusOf(lena.id!), 'unsubscribed');
    assert.match(receipt.answer, /lead's person/);
    const orphan = fake.seed('leads', { title: 'No one' });
    assert.match((await connector().optOut('leads', orphan.id!)).answer, /names no person/);
  });

  it('finds the persons holding an address through the persons search (exact match on e-mail), not those merely alike', async () => {
    const paula = person('Paula');
    person('Paulina');
    const found = await connector().findByEmail!('PAULA@pipe.example', ['persons', 'leads']);
    assert.deepEqual(
      found.map(({ object, record }) => [object, record.id, record.fields.lastName]),
      [['persons', String(paula.id), 'Pipe']],
    );
    assert.deepEqual(await connector().findByEmail!('paula@pipe.example', ['organizations']), [], 'an integration without persons');
  });
});
