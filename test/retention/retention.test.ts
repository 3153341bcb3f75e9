import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { matches, runRule } from '../../src/retention/service.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { describeEachDatabase, signUp, type Client, type TestEnv } from '../support/helpers.ts';
import { activePurpose, contactWith, giveConsent } from '../support/consent-fixtures.ts';

const DAY = 86_400_000;

/** Moves a record and everything about it back in time. */
async function age(env: TestEnv, tenantId: string, table: 'contacts' | 'leads', id: string, days: number) {
  const then = new Date(Date.now() - days * DAY);
  await withTenant(env.db, tenantId, async (tx) => {
    await sql`update ${sql.table(table)} set created_at = ${then}, updated_at = ${then}, collected_at = ${then} where tenant_id = ${tenantId} and id = ${id}`.execute(
      tx,
    );
  });
}

async function rule(admin: Client, body: Record<string, unknown>): Promise<string> {
  const created = await admin.post('/api/v1/retention-rules', body);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.id;
}

async function retentionAudit(env: TestEnv, tenantId: string, ruleId: string) {
  return withTenant(env.db, tenantId, (tx) =>
    tx
      .selectFrom('audit_events')
      .select(['action', 'fields'])
      .where('object_id', '=', ruleId)
      .where('action', 'like', 'retention.%')
      .execute(),
  );
}

describeEachDatabase('retention', (env) => {
  it('ships default rules, and previews exactly what a run then applies, honouring legal holds and recent activity', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const defaults = (await admin.get('/api/v1/retention-rules')).body.items;
    assert.deepEqual(defaults.map((r: any) => r.target).sort(), [
      'consent_history',
      'contact',
      'dsr_request',
      'email_message',
      'lead',
      'opportunity',
      'portal_link',
    ]);
    assert.ok(defaults.every((r: any) => r.builtin));

    const leads: string[] = [];
    for (let i = 0; i < 7; i++) {
      const lead = (
        await admin.post('/api/v1/leads', { firstName: `Old${i}`, email: `old${i}@retention.example`, companyName: `Old Co ${i}` })
      ).body;
      await age(env(), tenantId, 'leads', lead.id, 400);
      leads.push(lead.id);
    }
    const fresh = (await admin.post('/api/v1/leads', { firstName: 'Fresh', email: 'fresh@retention.example' })).body;
    // Old, but a note was logged last week: still active.
    const noted = leads[5]!;
    assert.equal((await admin.post('/api/v1/notes', { body: 'Called last week', record: { type: 'lead', id: noted } })).status, 201);
    // Old, but under legal hold.
    const held = leads[6]!;
    assert.equal(
      (await admin.post('/api/v1/legal-holds', { recordType: 'lead', recordId: held, reason: 'Pending litigation' })).status,
      201,
    );

    const ruleId = await rule(admin, { name: 'Leads idle for a year', target: 'lead', afterDays: 365, action: 'delete' });
    const preview = (await admin.get(`/api/v1/retention-rules/${ruleId}/preview`)).body;
    const expected = leads.slice(0, 5).sort();
    assert.deepEqual(preview.items.map((m: any) => m.id).sort(), expected);
    assert.ok(preview.items.every((m: any) => new Date(m.since).getTime() < Date.now() - 365 * DAY));

    // The clock moved a year and a half ahead: the fresh lead would go too, the held one still not.
    const later = await withTenant(env().db, tenantId, async (tx) => {
      const row = await tx.selectFrom('retention_rules').selectAll().where('id', '=', ruleId).executeTakeFirstOrThrow();
      return matches(tx, tenantId, row, new Date(Date.now() + 550 * DAY), 100);
    });
    assert.ok(later.some((m) => m.id === fresh.id));
    assert.ok(!later.some((m) => m.id === held));

    assert.equal(await runRule(env().app, tenantId, ruleId, { batchSize: 2 }), 5);
    const remaining = (await admin.get('/api/v1/leads?limit=50')).body.items.map((l: any) => l.id).sort();
    assert.deepEqual(remaining, [fresh.id, noted, held].sort());
    const keys = await withTenant(env().db, tenantId, (tx) =>
      tx.selectFrom('subject_keys').select(['id', 'wrapped_key']).where('id', 'in', expected).execute(),
    );
    assert.ok(
      keys.every((key) => key.wrapped_key === null),
      "deleted people's keys are destroyed",
    );
    const events = await retentionAudit(env(), tenantId, ruleId);
    // A run walks the leads two at a time (batchSize) and audits each batch that removed any, with its count.
    const perBatch = events.map((e) => /^lead:(\d+)$/.exec(String(e.fields[0]))?.[1]).map(Number);
    assert.ok(
      perBatch.every((count) => count >= 1 && count <= 2),
      `audited with counts per batch: ${JSON.stringify(events)}`,
    );
    assert.equal(
      perBatch.reduce((a, b) => a + b, 0),
      5,
    );
    assert.equal((await admin.get('/api/v1/retention-rules')).body.items.find((r: any) => r.id === ruleId).lastRun.applied, 5);

    // Releasing the hold lets the rule take the record on the next run.
    const hold = (await admin.get('/api/v1/legal-holds')).body.items[0];
    assert.equal((await admin.delete(`/api/v1/legal-holds/${hold.id}`)).status, 204);
    assert.equal(await runRule(env().app, tenantId, ruleId), 1);
  });

  it('anonymises through the inventory and resumes after a crash without doing anything twice', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const account = (await admin.post('/api/v1/accounts', { name: 'Kept Co' })).body;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const contact = (
        await admin.post('/api/v1/contacts', {
          firstName: `Anna${i}`,
          lastName: 'Nym',
          emails: [`anna${i}@retention.example`],
          phones: ['+33 1 23 45 67 89'],
          jobTitle: 'Buyer',
          accountId: account.id,
          country: 'FR',
          region: 'IDF',
        })
      ).body;
      await admin.post('/api/v1/tasks', { title: `Follow up Anna${i}`, record: { type: 'contact', id: contact.id } });
      await age(env(), tenantId, 'contacts', contact.id, 800);
      await withTenant(env().db, tenantId, (tx) =>
        sql`update tasks set updated_at = ${new Date(Date.now() - 800 * DAY)} where record_id = ${contact.id}`.execute(tx),
      );
      ids.push(contact.id);
    }
    const ruleId = await rule(admin, { name: 'Contacts idle for two years', target: 'contact', afterDays: 730, action: 'anonymise' });
    const previewed = (await admin.get(`/api/v1/retention-rules/${ruleId}/preview`)).body.items.map((m: any) => m.id).sort();
    assert.deepEqual(previewed, [...ids].sort());

    // The worker dies after its first batch.
    await assert.rejects(
      runRule(env().app, tenantId, ruleId, {
        batchSize: 2,
        afterBatch: () => {
          throw new Error('worker killed');
        },
      }),
      /worker killed/,
    );
    assert.deepEqual((await admin.get(`/api/v1/retention-rules/${ruleId}/preview`)).body.items.length, 3, 'the committed batch is done');
    const failed = (await admin.get('/api/v1/retention-rules')).body.items.find((r: any) => r.id === ruleId).lastRun;
    assert.deepEqual(
      [failed.state, failed.applied, failed.appliedInAll],
      ['interrupted', 2, 2],
      'a run that failed is closed as interrupted at once',
    );
    assert.equal(await runRule(env().app, tenantId, ruleId, { batchSize: 2 }), 3, 'the rest, and only the rest');
    const resumed = (await admin.get('/api/v1/retention-rules')).body.items.find((r: any) => r.id === ruleId).lastRun;
    assert.deepEqual([resumed.state, resumed.applied, resumed.appliedInAll], ['finished', 3, 5], 'the totals add up across the resumption');
    assert.ok(resumed.resumes, 'and it names the run it continued');
    const counts = (await retentionAudit(env(), tenantId, ruleId)).map((e) => Number(String(e.fields[0]).split(':')[1]));
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      5,
      'each contact anonymised exactly once',
    );

    for (const id of ids) {
      const contact = (await admin.get(`/api/v1/contacts/${id}`)).body;
      assert.equal(contact.firstName, null);
      assert.deepEqual(contact.emails, []);
      assert.deepEqual(contact.phones, []);
      assert.equal(contact.accountId, account.id, 'the company facts stay');
      assert.deepEqual(
        [contact.country, contact.region],
        [null, null],
        'the place of residence is personal data in the inventory: emptied too',
      );
    }
    const raw = await withTenant(env().db, tenantId, (tx) =>
      tx.selectFrom('contacts').select(['email_index', 'name_index', 'anonymised_at']).where('id', 'in', ids).execute(),
    );
    assert.ok(raw.every((row) => row.email_index.length === 0 && row.name_index.length === 0 && row.anonymised_at));
    assert.deepEqual(
      (await admin.get(`/api/v1/tasks?recordType=contact&recordId=${ids[0]}`)).body.items,
      [],
      'what was about them is gone',
    );
    assert.deepEqual((await admin.get('/api/v1/contacts?q=anna0%40retention.example')).body.items, []);
  });

  it('closes a run whose process died (no beat for two job leases) as interrupted, and the next run carries its total', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    for (let i = 0; i < 3; i++) {
      const contact = (await admin.post('/api/v1/contacts', { firstName: `Kim${i}`, emails: [`kim${i}@killed.example`] })).body;
      await age(env(), tenantId, 'contacts', contact.id, 800);
    }
    const ruleId = await rule(admin, { name: 'Idle contacts', target: 'contact', afterDays: 730, action: 'delete' });
    // A process that dies after its first batch: it never returns, finishes or closes its run.
    void runRule(env().app, tenantId, ruleId, { batchSize: 1, afterBatch: () => new Promise<void>(() => undefined) });
    const lastRun = async () => (await admin.get('/api/v1/retention-rules')).body.items.find((r: any) => r.id === ruleId).lastRun;
    while ((await lastRun())?.applied !== 1) await new Promise((resolve) => setTimeout(resolve, 10));
    const dead = await lastRun();
    assert.equal(dead.state, 'running');

    // Two job leases pass without a beat: the next run of the rule takes it for dead.
    const leaseSeconds = env().app.config.jobLeaseSeconds;
    await withTenant(env().db, tenantId, (tx) =>
      sql`update retention_runs set heartbeat_at = now() - make_interval(secs => ${leaseSeconds * 3}) where rule_id = ${ruleId}`.execute(
        tx,
      ),
    );
    assert.equal(await runRule(env().app, tenantId, ruleId), 2);
    const runs = await withTenant(env().db, tenantId, (tx) =>
      tx.selectFrom('retention_runs').selectAll().where('rule_id', '=', ruleId).orderBy('started_at').execute(),
    );
    assert.equal(runs.length, 2);
    assert.ok(runs[0]!.interrupted_at, 'the dead run is closed as interrupted');
    assert.equal(new Date(runs[0]!.interrupted_at!).getTime(), new Date(runs[0]!.heartbeat_at!).getTime(), 'at its last beat');
    assert.equal(runs[1]!.resumes, runs[0]!.id);
    const resumed = await lastRun();
    assert.deepEqual([resumed.state, resumed.applied, resumed.appliedInAll], ['finished', 2, 3]);
  });

  it('keeps a closed request whole for its evidence period, then only its type, dates and outcome', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const rule = (await admin.get('/api/v1/retention-rules')).body.items.find((r: any) => r.target === 'dsr_request');
    assert.deepEqual([rule.afterDays, rule.action], [1095, 'anonymise'], 'three years by default');
    const tooShort = await admin.patch(`/api/v1/retention-rules/${rule.id}`, { afterDays: 30 });
    assert.equal(tooShort.status, 409, 'never less than a year');
    assert.match(tooShort.body.message, /evidence/);

    await contactWith(admin, 'asker@requests.example');
    const log = async (details: string) => {
      const created = await admin.post('/api/v1/dsr-requests', {
        type: 'access',
        channel: 'email',
        email: 'asker@requests.example',
        name: 'Asker Person',
        details,
        identityStatus: 'verified',
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal((await admin.post(`/api/v1/dsr-requests/${created.body.id}/execute`)).body.status, 'completed');
      return created.body.id as string;
    };
    const old = await log('Please send me everything, I am Asker Person from Lyon');
    const recent = await log('And again this year');
    const fourYearsAgo = new Date(Date.now() - 4 * 365 * DAY);
    await withTenant(env().db, tenantId, (tx) =>
      sql`update dsr_requests set received_at = ${fourYearsAgo}, completed_at = ${fourYearsAgo} where id = ${old}`.execute(tx),
    );
    assert.equal(
      (await admin.get('/api/v1/email-messages?limit=50')).body.items.filter((m: any) => m.personId === old).length,
      2,
      'receipt and answer kept',
    );

    assert.deepEqual(
      (await admin.get(`/api/v1/retention-rules/${rule.id}/preview`)).body.items.map((m: any) => m.id),
      [old],
    );
    assert.equal(await runRule(env().app, tenantId, rule.id), 1);
    const reduced = (await admin.get(`/api/v1/dsr-requests/${old}`)).body;
    assert.deepEqual(
      [reduced.type, reduced.status, reduced.receivedAt, reduced.completedAt],
      ['access', 'completed', fourYearsAgo.toISOString(), fourYearsAgo.toISOString()],
      'what it was and how it ended',
    );
    assert.deepEqual([reduced.requester.email, reduced.requester.name, reduced.details], [null, null, null], 'nothing about the person');
    assert.ok(reduced.evidence.every((item: any) => item.summary === null));
    assert.ok(reduced.deidentifiedAt);
    assert.deepEqual(reduced.people, [], 'it no longer finds anyone');
    assert.equal(
      (await admin.get('/api/v1/email-messages?limit=50')).body.items.filter((m: any) => m.personId === old).length,
      0,
      'its e-mail copies are gone',
    );
    const kept = (await admin.get(`/api/v1/dsr-requests/${recent}`)).body;
    assert.equal(kept.requester.email, 'asker@requests.example', 'a request within its evidence period is whole');
    assert.equal(kept.deidentifiedAt, null);
  });

  it('strips who took part from lost deals, and keeps the consent history of erased people as long as the rule says', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const rules = (await admin.get('/api/v1/retention-rules')).body.items;
    const lostDeals = rules.find((r: any) => r.target === 'opportunity');
    const consentHistory = rules.find((r: any) => r.target === 'consent_history');
    assert.equal(lostDeals.action, 'anonymise');
    assert.equal(consentHistory.afterDays, 1826);

    const account = (await admin.post('/api/v1/accounts', { name: 'Lost Co' })).body;
    const buyer = (await admin.post('/api/v1/contacts', { firstName: 'Bea', emails: ['bea@lost.example'], accountId: account.id })).body;
    const deal = async (name: string, stage: string) => {
      const created = await admin.post('/api/v1/opportunities', {
        name,
        accountId: account.id,
        stage,
        amount: '12000.00',
        contactIds: [buyer.id],
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return created.body.id as string;
    };
    const oldLost = await deal('Old lost deal', 'closed_lost');
    const recentLost = await deal('Recent lost deal', 'closed_lost');
    const oldWon = await deal('Old won deal', 'closed_won');
    await admin.post('/api/v1/notes', { body: 'Bea said the budget went to a competitor', record: { type: 'opportunity', id: oldLost } });
    const fourYearsAgo = new Date(Date.now() - 4 * 365 * DAY);
    await withTenant(env().db, tenantId, (tx) =>
      sql`update opportunities set closed_at = ${fourYearsAgo}, updated_at = ${fourYearsAgo} where id = any(${[oldLost, oldWon]}::uuid[])`.execute(
        tx,
      ),
    );

    assert.deepEqual(
      (await admin.get(`/api/v1/retention-rules/${lostDeals.id}/preview`)).body.items.map((m: any) => m.id),
      [oldLost],
    );
    assert.equal(await runRule(env().app, tenantId, lostDeals.id), 1);
    const stripped = (await admin.get(`/api/v1/opportunities/${oldLost}`)).body;
    assert.equal(stripped.amount, '12000.00', 'the figures stay');
    assert.equal(stripped.accountId, account.id);
    assert.deepEqual(stripped.contactIds, []);
    assert.deepEqual((await admin.get(`/api/v1/notes?recordType=opportunity&recordId=${oldLost}`)).body.items, []);
    for (const kept of [recentLost, oldWon])
      assert.deepEqual((await admin.get(`/api/v1/opportunities/${kept}`)).body.contactIds, [buyer.id]);
    assert.equal((await admin.get(`/api/v1/contacts/${buyer.id}`)).body.firstName, 'Bea', 'the person is not the deal');

    // Consent history: one person is deleted by another rule, the other is held.
    const purpose = await activePurpose(admin);
    const gone = await contactWith(admin, 'gone@history.example');
    const held = await contactWith(admin, 'held@history.example');
    for (const id of [gone, held]) await giveConsent(admin, id, purpose.id);
    await admin.post('/api/v1/legal-holds', { recordType: 'contact', recordId: held, reason: 'Audit by the authority' });
    const idle = await rule(admin, { name: 'Contacts idle a year', target: 'contact', afterDays: 365, action: 'delete' });
    const inFuture = (days: number) => new Date(Date.now() + days * DAY);
    await runRule(env().app, tenantId, idle, { now: inFuture(400) });
    const events = async (person: string) =>
      Number(
        (
          await withTenant(env().db, tenantId, (tx) =>
            tx
              .selectFrom('consent_events')
              .select(sql<string>`count(*)`.as('n'))
              .where('person_id', '=', person)
              .executeTakeFirstOrThrow(),
          )
        ).n,
      );
    assert.equal(await events(gone), 1, 'the fact of the consent outlives the person');

    assert.equal(await runRule(env().app, tenantId, consentHistory.id, { now: inFuture(4 * 365) }), 0, 'not yet five years');
    assert.equal(await runRule(env().app, tenantId, consentHistory.id, { now: inFuture(6 * 365) }), 1);
    assert.equal(await events(gone), 0);
    assert.equal(await events(held), 1, 'a person still held keeps their history');

    // Outside that function the ledger still refuses deletion, and the function never takes the
    // history of someone still held, whatever the cutoff.
    await assert.rejects(withTenant(env().db, tenantId, (tx) => sql`delete from consent_events where person_id = ${held}`.execute(tx)));
    const purged = await withTenant(env().db, tenantId, (tx) =>
      sql<{ n: number }>`select purge_consent_history(${tenantId}::uuid, ${[held]}::uuid[], now() + interval '100 years') as n`.execute(tx),
    );
    assert.equal(Number(purged.rows[0]!.n), 0);
    assert.equal(await events(held), 1);
    assert.equal(
      (await admin.post('/api/v1/retention-rules', { name: 'Too short', target: 'consent_history', afterDays: 30, action: 'delete' }))
        .status,
      400,
    );
    assert.equal(
      (await admin.post('/api/v1/retention-rules', { name: 'Deals', target: 'opportunity', afterDays: 30, action: 'delete' })).status,
      400,
    );
    assert.equal((await admin.patch(`/api/v1/retention-rules/${consentHistory.id}`, { afterDays: 200 })).status, 409);
  });
});
