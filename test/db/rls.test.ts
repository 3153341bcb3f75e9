import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { assertAppRoleIsConfined, withTenant, withUser } from '../../src/db/tenant.ts';
import { describeEachDatabase, signUp } from '../support/helpers.ts';

describeEachDatabase('row-level security', (env) => {
  it('a query that forgets its WHERE clause still sees only its own tenant', async () => {
    const a = await signUp(env());
    const b = await signUp(env());
    const tenantA = a.info.workspace.id;
    const tenantB = b.info.workspace.id;
    for (const table of ['members', 'tenant_keys', 'audit_events', 'audit_chain_heads'] as const) {
      const seenByA = await withTenant(env().db, tenantA, (tx) => tx.selectFrom(table).select('tenant_id').execute());
      assert.ok(seenByA.length > 0, `${table} has rows of A`);
      assert.ok(
        seenByA.every((row) => row.tenant_id === tenantA),
        `${table} leaks another tenant's rows`,
      );
    }
    const tenants = await withTenant(env().db, tenantA, (tx) => tx.selectFrom('tenants').select('id').execute());
    assert.deepEqual(
      tenants.map((row) => row.id),
      [tenantA],
    );
    // The owner connection (superuser in tests) sees both, so the filter above is the policy's doing.
    const all = await env().db.kysely.selectFrom('members').select('tenant_id').distinct().execute();
    assert.ok(all.some((row) => row.tenant_id === tenantB));
  });

  it('refuses writes of rows that belong to another tenant', async () => {
    const a = await signUp(env());
    const b = await signUp(env());
    await assert.rejects(
      withTenant(env().db, a.info.workspace.id, (tx) =>
        tx.insertInto('members').values({ tenant_id: b.info.workspace.id, user_id: a.info.user.id, role: 'administrator' }).execute(),
      ),
      /row-level security/,
    );
    const updated = await withTenant(env().db, a.info.workspace.id, (tx) =>
      tx.updateTable('members').set({ team: 'hijacked' }).where('tenant_id', '=', b.info.workspace.id).executeTakeFirst(),
    );
    assert.equal(Number(updated.numUpdatedRows), 0);
  });

  it('sees nothing tenant-owned outside a tenant transaction', async () => {
    await signUp(env());
    const rows = await withUser(env().db, null, (tx) => tx.selectFrom('members').select('id').execute());
    assert.equal(rows.length, 0);
  });

  it('runs application transactions as the confined app role', async () => {
    await assertAppRoleIsConfined(env().db);
    const role = await withUser(env().db, null, async (tx) => (await sql<{ u: string }>`select current_user as u`.execute(tx)).rows[0]!.u);
    assert.equal(role, 'lawful_app');
  });

  it('every table with tenant_id forces row-level security and leads its primary key with tenant_id', async () => {
    const { rows } = await sql<{ table: string; rls: boolean; forced: boolean; pk: string[] | string }>`
      select c.relname as table, c.relrowsecurity as rls, c.relforcerowsecurity as forced,
             array(select a.attname::text from unnest(i.indkey) with ordinality k(attnum, n)
                   join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum order by k.n) as pk
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
      join pg_index i on i.indrelid = c.oid and i.indisprimary
      where c.relkind = 'r'
        and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)
        -- Global on purpose: sessions (a user's, before a workspace is chosen) and jobs (the
        -- worker claims across workspaces; RLS is enabled there, not forced, see 0008).
        and c.relname not in ('sessions', 'jobs')`.execute(env().db.kysely);
    assert.ok(rows.length >= 7);
    for (const row of rows) {
      const pk = Array.isArray(row.pk) ? row.pk : String(row.pk).replace(/[{}]/g, '').split(',');
      assert.ok(row.rls && row.forced, `${row.table} must ENABLE and FORCE row level security`);
      assert.equal(pk[0], 'tenant_id', `${row.table} primary key must start with tenant_id`);
    }
  });
});
