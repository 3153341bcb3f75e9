import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { emailTerm, hasAnyTerm, nameTerm } from '../../src/crm/terms.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { describeEachDatabase, signUp } from '../support/helpers.ts';

describeEachDatabase('person terms (blind-index lookups)', (env) => {
  it('keeps every contact and lead term in step with their blind indexes, through inserts, updates and deletes', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const terms = () =>
      withTenant(env().db, tenantId, async (tx) => {
        const rows = await tx.selectFrom('person_terms').select(['term', 'person_type', 'person_id']).execute();
        const indexes = await tx.selectFrom('contacts').select(['id', 'email_index', 'name_index']).execute();
        const leads = await tx.selectFrom('leads').select(['id', 'email_index', 'name_index']).execute();
        const expected = [
          ...indexes.flatMap((c) => [
            ...c.email_index.map((i) => `contact ${c.id} email:${i}`),
            ...c.name_index.map((i) => `contact ${c.id} name:${i}`),
          ]),
          ...leads.flatMap((l) => [
            ...(l.email_index ? [`lead ${l.id} email:${l.email_index}`] : []),
            ...l.name_index.map((i) => `lead ${l.id} name:${i}`),
          ]),
        ];
        return { actual: rows.map((r) => `${r.person_type} ${r.person_id} ${r.term}`).sort(), expected: [...new Set(expected)].sort() };
      });

    const contact = await admin.post('/api/v1/contacts', {
      firstName: 'Ada',
      lastName: 'Lovelace',
      emails: ['ada@example.org', 'countess@example.org'],
    });
    const lead = await admin.post('/api/v1/leads', { firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.org' });
    let state = await terms();
    assert.equal(state.actual.length, 4 + 3);
    assert.deepEqual(state.actual, state.expected);

    await admin.patch(`/api/v1/contacts/${contact.body.id}`, { emails: ['ada@analytical.example'], lastName: 'King' });
    await admin.patch(`/api/v1/leads/${lead.body.id}`, { jobTitle: 'Rear Admiral' });
    state = await terms();
    assert.equal(state.actual.length, 3 + 3);
    assert.deepEqual(state.actual, state.expected);
    const found = await admin.get('/api/v1/contacts?q=ada@analytical.example');
    assert.deepEqual(
      found.body.items.map((c: any) => c.id),
      [contact.body.id],
    );
    assert.equal((await admin.get('/api/v1/contacts?q=ada@example.org')).body.items.length, 0, 'the old address no longer finds her');
    assert.deepEqual(
      (await admin.get('/api/v1/contacts?q=Ada King')).body.items.map((c: any) => c.id),
      [contact.body.id],
    );
    assert.equal((await admin.get('/api/v1/contacts?q=Ada Lovelace')).body.items.length, 0);

    assert.equal((await admin.delete(`/api/v1/contacts/${contact.body.id}`)).status, 204);
    state = await terms();
    assert.equal(state.actual.length, 3);
    assert.deepEqual(state.actual, state.expected);
  });

  it('finds people by term through an index under row-level security, where the array operators cannot', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const memberId = admin.info.member.id;
    // Enough people for the planner's statistics to matter (filler straight in SQL, as the DSR bench does).
    await withTenant(env().db, tenantId, (tx) =>
      sql`insert into contacts (tenant_id, id, owner_id, collected_by, collected_at, source_type, email_index, name_index)
          select ${tenantId}, gen_random_uuid(), ${memberId}, ${memberId}, now(), 'import', array[md5('e' || g)], array[md5('n' || g), md5('m' || g)]
          from generate_series(1, 5000) g`.execute(tx),
    );
    const plan = (condition: ReturnType<typeof sql>) =>
      withTenant(env().db, tenantId, async (tx) => {
        // With sequential scans priced out, a plan that still scans contacts has no index it may use.
        await sql`set local enable_seqscan = off`.execute(tx);
        const { rows } = await sql<
          Record<string, string>
        >`explain select id from contacts where tenant_id = ${tenantId} and ${condition}`.execute(tx);
        return rows.map((row) => Object.values(row)[0]).join('\n');
      });
    const byTerms = () =>
      plan(
        sql`${hasAnyTerm('contacts', tenantId, [emailTerm('x')])} and ${hasAnyTerm('contacts', tenantId, [nameTerm('a'), nameTerm('b')])}`,
      );
    const probesPerTerm = /Index (Only )?Scan using person_terms_pkey on person_terms[^\n]*\n[^\n]*Index Cond: .*term = wanted\.term/;
    // Before any statistics exist (a first import), where `term = ANY` read every term of the workspace (migration 0024)…
    assert.match(await byTerms(), probesPerTerm, 'terms are looked up by key, one probe per term, without statistics');
    await sql`analyze contacts`.execute(env().db.kysely);
    await sql`analyze person_terms`.execute(env().db.kysely);
    // …and with them.
    const byTerm = await byTerms();
    assert.doesNotMatch(byTerm, /Seq Scan/);
    assert.match(byTerm, probesPerTerm, 'terms are looked up by key, one probe per term');
    const byArray = await plan(sql`email_index @> array['x']::text[]`);
    // The reason person_terms exists: under RLS, @> is only a filter over every contact of the workspace.
    assert.match(byArray, /Filter: \(email_index @>/);
  });
});
