import assert from 'node:assert/strict';
import { it } from 'node:test';
import { citusLayout, citusStatements, foreignKeyProblems } from '../../src/db/citus.ts';
import { describeEachDatabase } from '../support/helpers.ts';

describeEachDatabase('ready to shard by workspace', (env) => {
  it('every workspace table leads its key with tenant_id, every foreign key between them carries it, and nothing global points into them', async () => {
    const layout = await citusLayout(env().db);
    const placement = (table: string) => layout.tables.find((t) => t.table === table)?.placement;
    const distributed = layout.tables.filter((t) => t.placement === 'distributed');
    assert.ok(distributed.length > 40, `${distributed.length} workspace tables`);
    for (const table of ['contacts', 'accounts', 'audit_events', 'consent_events', 'subject_keys', 'sync_links', 'backup_drills']) {
      assert.equal(placement(table), table === 'backup_drills' ? 'reference' : 'distributed', table);
    }
    assert.equal(placement('tenants'), 'reference');
    assert.equal(placement('sessions'), 'coordinator');
    assert.ok(layout.foreignKeys.length > 50, `${layout.foreignKeys.length} foreign keys`);
    assert.deepEqual(layout.problems, []);

    // The plan converts referenced tables first, and co-locates every workspace table.
    const statements = citusStatements(layout);
    assert.equal(statements.length, layout.tables.length);
    const position = (table: string) => statements.findIndex((s) => s.includes(`('${table}'`));
    for (const key of layout.foreignKeys)
      if (key.child !== key.parent) assert.ok(position(key.parent) < position(key.child), `${key.parent} before ${key.child}`);
    assert.equal(statements.filter((s) => s.includes('colocate_with')).length, distributed.length - 1);

    // What the check would catch: a key between workspace tables without tenant_id, a global table
    // pointing into a workspace table, and a workspace table pointing at the coordinator.
    const probe = (child: string, parent: string, pairs: Array<{ child: string; parent: string }>) =>
      foreignKeyProblems({ ...layout, foreignKeys: [{ name: 'probe', child, parent, pairs }] });
    assert.match(probe('notes', 'contacts', [{ child: 'record_id', parent: 'id' }])[0]!, /does not carry tenant_id/);
    assert.match(
      probe('users', 'members', [{ child: 'tenant_id', parent: 'tenant_id' }])[0]!,
      /the reference table users references the workspace table/,
    );
    assert.match(probe('contacts', 'sessions', [{ child: 'owner_id', parent: 'id' }])[0]!, /references the coordinator table/);
    assert.deepEqual(
      probe('notes', 'contacts', [
        { child: 'tenant_id', parent: 'tenant_id' },
        { child: 'record_id', parent: 'id' },
      ]),
      [],
    );
  });
});
