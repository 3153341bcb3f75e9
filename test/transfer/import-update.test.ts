import assert from 'node:assert/strict';
import { it } from 'node:test';
import { withTenant } from '../../src/db/tenant.ts';
import { addMember, describeEachDatabase, signUp, type Client } from '../support/helpers.ts';

/**
 * Rows that match an existing record (issue 26 §5): skipped by default, written over with
 * onDuplicate=update (the file's non-empty values win, a blank cell never erases), filled into
 * the record's blanks with fill-empty; the report says which line matched which record.
 */
function upload(client: Client, object: string, csv: string, query: string) {
  return client.request('POST', `/api/v1/imports/${object}?fileName=crm-export.csv&${query}`, csv, { 'content-type': 'text/csv' });
}

const outcomes = (body: any) => body.matched.lines.map((entry: any) => [entry.line, entry.recordId, entry.outcome]);

describeEachDatabase('CSV import of rows matching existing records', (env) => {
  it('skips, fills the blanks of, or writes over the matching contact, one line after another, and lists each match', async () => {
    const admin = await signUp(env());
    const ana = await admin.post('/api/v1/contacts', {
      firstName: 'Ana',
      lastName: 'Silva',
      emails: ['ana@example.org'],
      phones: ['+33 1 23 45 67 89'],
      country: 'PT',
    });
    assert.equal(ana.status, 201, JSON.stringify(ana.body));
    const csv = [
      'Email,Second Email,First Name,Last Name,Job Title,Mobile Phone,Country,Company',
      'ANA@example.org,bob@example.org,Anabela,,Buyer,+49 30 1234567,France,Acme', // Bob's address is never given to Ana
      'bob@example.org,,Bob,Stone,,,DE,',
      'bob@example.org,,Robert,,CTO,,,',
    ].join('\r\n');

    const skip = await upload(admin, 'contacts', csv, 'onDuplicate=skip');
    assert.equal(skip.status, 200, JSON.stringify(skip.body));
    assert.equal(skip.body.created, 1);
    assert.equal(skip.body.duplicates, 2);
    assert.equal(skip.body.updated, 0);
    const bobId = skip.body.matched.lines[1].recordId;
    assert.deepEqual(outcomes(skip.body), [
      [2, ana.body.id, 'skipped'],
      [4, bobId, 'skipped'],
    ]);
    assert.equal((await admin.get(`/api/v1/contacts/${ana.body.id}`)).body.firstName, 'Ana', 'skip changes nothing');

    const dry = await upload(admin, 'contacts', csv, 'onDuplicate=update&dryRun=true');
    assert.equal(dry.body.updated, 2, 'a dry run counts the updates');
    assert.equal((await admin.get(`/api/v1/contacts/${ana.body.id}`)).body.firstName, 'Ana', 'and writes none');

    const fill = await upload(admin, 'contacts', csv, 'onDuplicate=fill-empty');
    assert.equal(fill.status, 200, JSON.stringify(fill.body));
    assert.equal(fill.body.created, 0);
    assert.equal(fill.body.updated, 2);
    assert.deepEqual(outcomes(fill.body), [
      [2, ana.body.id, 'updated'],
      [3, bobId, 'unchanged'],
      [4, bobId, 'updated'],
    ]);
    let anaNow = (await admin.get(`/api/v1/contacts/${ana.body.id}`)).body;
    assert.equal(anaNow.firstName, 'Ana', 'fill-empty keeps a value the record has');
    assert.equal(anaNow.jobTitle, 'Buyer', 'and fills a blank');
    assert.equal(anaNow.country, 'PT');
    assert.deepEqual(anaNow.phones, ['+33 1 23 45 67 89'], 'a list that has values is kept as it is');
    assert.ok(anaNow.accountId, 'an account where there was none');
    let bobNow = (await admin.get(`/api/v1/contacts/${bobId}`)).body;
    assert.deepEqual([bobNow.firstName, bobNow.jobTitle], ['Bob', 'CTO']);

    const update = await upload(admin, 'contacts', csv, 'onDuplicate=update');
    assert.equal(update.body.updated, 2);
    anaNow = (await admin.get(`/api/v1/contacts/${ana.body.id}`)).body;
    assert.equal(anaNow.firstName, 'Anabela', "update writes the file's value over the record's");
    assert.equal(anaNow.lastName, 'Silva', 'a blank cell never erases');
    assert.equal(anaNow.country, 'FR');
    assert.deepEqual(anaNow.emails, ['ana@example.org'], "another contact's address is not given to her");
    assert.equal(anaNow.phones.length, 2, "the file's phone is added first, the record's kept");
    bobNow = (await admin.get(`/api/v1/contacts/${bobId}`)).body;
    assert.deepEqual([bobNow.firstName, bobNow.lastName], ['Robert', 'Stone'], 'the later line wins');

    const events = await withTenant(env().db, admin.info.workspace.id, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(['object_id', 'fields'])
        .where('action', '=', 'contact.update')
        .where('object_id', '=', ana.body.id)
        .orderBy('seq')
        .execute(),
    );
    assert.equal(events.length, 2, 'each record written is audited once per import');
    assert.ok((events[1]!.fields as string[]).includes('firstName'));
  });

  it('leaves a record the importer cannot see as it is, and says so', async () => {
    const admin = await signUp(env());
    const manager = await addMember(env(), admin, 'sales_manager'); // no team: sees only its own records
    const owned = await admin.post('/api/v1/contacts', { firstName: 'Hidden', emails: ['hidden@example.org'] });
    const report = await upload(manager, 'contacts', 'Email,First Name\nhidden@example.org,Exposed\n', 'onDuplicate=update');
    assert.equal(report.status, 200, JSON.stringify(report.body));
    assert.equal(report.body.updated, 0);
    assert.equal(report.body.matched.lines[0].outcome, 'refused');
    assert.match(report.body.matched.lines[0].reason, /not among those you can see/);
    assert.equal((await admin.get(`/api/v1/contacts/${owned.body.id}`)).body.firstName, 'Hidden');
  });

  it('updates accounts, leads and deals the same way', async () => {
    const admin = await signUp(env());
    const account = await admin.post('/api/v1/accounts', { name: 'Acme', domain: 'acme.example' });
    const lead = await admin.post('/api/v1/leads', { firstName: 'Lea', email: 'lea@example.org', companyName: 'Old Co' });
    const deal = await admin.post('/api/v1/opportunities', {
      name: 'Renewal',
      accountId: account.body.id,
      amount: '1000.00',
      currency: 'EUR',
    });
    assert.deepEqual([account.status, lead.status, deal.status], [201, 201, 201]);

    const accounts = await upload(
      admin,
      'accounts',
      'Name,Domain,Industry\nACME Corporation,acme.example,Software\n',
      'onDuplicate=fill-empty',
    );
    assert.equal(accounts.body.updated, 1, JSON.stringify(accounts.body));
    let acme = (await admin.get(`/api/v1/accounts/${account.body.id}`)).body;
    assert.deepEqual([acme.name, acme.industry], ['Acme', 'Software']);
    await upload(admin, 'accounts', 'Name,Domain,Industry\nACME Corporation,acme.example,Software\n', 'onDuplicate=update');
    acme = (await admin.get(`/api/v1/accounts/${account.body.id}`)).body;
    assert.equal(acme.name, 'ACME Corporation');

    const leads = await upload(admin, 'leads', 'Email,Company,Lead Status\nlea@example.org,New Co,working\n', 'onDuplicate=update');
    assert.deepEqual(outcomes(leads.body), [[2, lead.body.id, 'updated']]);
    const leaNow = (await admin.get(`/api/v1/leads/${lead.body.id}`)).body;
    assert.deepEqual([leaNow.firstName, leaNow.companyName, leaNow.status], ['Lea', 'New Co', 'working']);

    const deals = await upload(
      admin,
      'opportunities',
      'Name,Company Domain,Stage,Amount\nRenewal,acme.example,closed_won,2500\n',
      'onDuplicate=update',
    );
    assert.equal(deals.body.updated, 1, JSON.stringify(deals.body));
    const dealNow = (await admin.get(`/api/v1/opportunities/${deal.body.id}`)).body;
    assert.equal(dealNow.stage, 'closed_won');
    assert.equal(Number(dealNow.amount), 2500);
    assert.ok(dealNow.closedAt, 'a deal closed by the file is dated');
  });

  it('follows a run by the id the client chose while it goes', async () => {
    const admin = await signUp(env());
    const importId = '0b5f6a38-3f0e-4f7a-9d6f-2b1d8f0c6a11';
    const done = await upload(admin, 'contacts', 'Email\nsomeone@example.org\nnot-an-address\n', `importId=${importId}&includeRows=true`);
    assert.equal(done.body.importId, importId);
    assert.deepEqual(done.body.errors[0].cells, ['not-an-address'], 'a failed row carries its cells when asked');
    const run = await admin.get(`/api/v1/imports/${importId}`);
    assert.equal(run.status, 200);
    assert.deepEqual([run.body.state, run.body.rowsDone, run.body.run.created, run.body.run.failed], ['finished', 2, 1, 1]);
    const again = await upload(admin, 'contacts', 'Email\nother@example.org\n', `importId=${importId}`);
    assert.equal(again.status, 409, 'an id is used once');
  });
});
