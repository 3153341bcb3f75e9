import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { describeEachDatabase, signUp } from '../support/helpers.ts';

/** A list exports as it is shown (issue 26 §7): the export takes the list's filters and sort. */
describeEachDatabase('Export of a filtered list', (env) => {
  it('exports only the records the list filters keep, and refuses a filter it does not know', async () => {
    const admin = await signUp(env());
    const people = [
      ['Amélie', 'FR'],
      ['Bruno', 'FR'],
      ['Carla', 'DE'],
    ];
    for (const [i, [firstName, country]] of people.entries()) {
      assert.equal(
        (await admin.post('/api/v1/contacts', { firstName, lastName: 'Test', emails: [`person${i}@example.org`], country })).status,
        201,
      );
    }
    const acme = await admin.post('/api/v1/accounts', { name: 'Acme', domain: 'acme.example' });
    await admin.post('/api/v1/opportunities', { name: 'Open deal', accountId: acme.body.id, stage: 'proposal' });
    await admin.post('/api/v1/opportunities', { name: 'Won deal', accountId: acme.body.id, stage: 'closed_won' });

    const french = await admin.get('/api/v1/exports/contacts?format=csv&country=FR');
    assert.equal(french.status, 200);
    const rows = parse(french.body as string, { columns: true }) as Array<Record<string, string>>;
    assert.deepEqual(rows.map((row) => row.firstName).sort(), ['Amélie', 'Bruno']);

    const searched = await admin.get('/api/v1/exports/contacts?format=json&q=Carla');
    assert.deepEqual(
      (searched.body as Array<{ firstName: string }>).map((row: { firstName: string }) => row.firstName),
      ['Carla'],
    );

    // A selection of rows (the list's bulk bar) exports by ids; more than 300 or a bad id is a 400.
    const all = (await admin.get('/api/v1/contacts')).body.items as Array<{ id: string; firstName: string }>;
    const picked = all.filter((contact) => contact.firstName !== 'Bruno').map((contact) => contact.id);
    const selection = await admin.get(`/api/v1/exports/contacts?format=json&ids=${picked.join(',')}`);
    assert.equal(selection.status, 200, JSON.stringify(selection.body));
    assert.deepEqual((selection.body as Array<{ firstName: string }>).map((row) => row.firstName).sort(), ['Amélie', 'Carla']);
    const tooMany = Array.from({ length: 301 }, () => picked[0]).join(',');
    assert.equal((await admin.get(`/api/v1/exports/contacts?format=csv&ids=${tooMany}`)).status, 400);
    assert.equal((await admin.get('/api/v1/exports/contacts?format=csv&ids=not-an-id')).status, 400);
    assert.equal((await admin.get(`/api/v1/contacts?ids=${picked[0]}`)).body.items.length, 1, 'lists take ids too');

    const won = await admin.get('/api/v1/exports/opportunities?format=json&stage=closed_won');
    assert.deepEqual(
      (won.body as Array<{ name: string }>).map((row: { name: string }) => row.name),
      ['Won deal'],
    );

    const badValue = await admin.get('/api/v1/exports/opportunities?stage=won-ish');
    assert.equal(badValue.status, 400);
    assert.equal(badValue.body.error, 'validation_error');
    assert.match(badValue.body.message, /stage/);
    const unknown = await admin.get('/api/v1/exports/accounts?colour=blue');
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.message, /colour/);
  });
});
