import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { withTenant } from '../../src/db/tenant.ts';
import { NOT_PERSONAL, PERSONAL_DATA, PERSONAL_LOOKING_COLUMN, workspaceInventory } from '../../src/inventory/inventory.ts';
import { describeEachDatabase, signUp } from '../support/helpers.ts';

describeEachDatabase('data inventory', (env) => {
  async function columns() {
    const { rows } = await sql<{ table_name: string; column_name: string }>`
      select table_name, column_name from information_schema.columns where table_schema = 'public'`.execute(env().db.kysely);
    return new Set(rows.map((row) => `${row.table_name}.${row.column_name}`));
  }

  it('declares only columns that exist', async () => {
    const existing = await columns();
    for (const entry of PERSONAL_DATA) {
      assert.ok(existing.has(`${entry.table}.${entry.column}`), `${entry.table}.${entry.column} is declared but does not exist`);
      if (entry.blindIndex) assert.ok(existing.has(`${entry.table}.${entry.blindIndex}`), `blind index ${entry.blindIndex} missing`);
    }
    const keys = PERSONAL_DATA.map((entry) => `${entry.table}.${entry.column}`);
    assert.equal(new Set(keys).size, keys.length, 'each column is declared once');
  });

  it('leaves no personal-looking column unclassified', async () => {
    const declared = new Set(
      PERSONAL_DATA.flatMap((entry) => [
        `${entry.table}.${entry.column}`,
        ...(entry.blindIndex ? [`${entry.table}.${entry.blindIndex}`] : []),
      ]),
    );
    const unclassified = [...(await columns())].filter((key) => {
      const column = key.split('.')[1]!;
      return PERSONAL_LOOKING_COLUMN.test(column) && !declared.has(key) && !(key in NOT_PERSONAL);
    });
    assert.deepEqual(unclassified, []);
  });

  it('enrols custom fields flagged personal, per workspace, and only those', async () => {
    const admin = await signUp(env());
    const other = await signUp(env());
    await admin.post('/api/v1/custom-fields', { object: 'contact', key: 'birthday', label: 'Birthday', type: 'date', personal: true });
    await admin.post('/api/v1/custom-fields', { object: 'contact', key: 'segment', label: 'Segment', type: 'text' });
    const keysOf = async (tenantId: string) =>
      (await withTenant(env().db, tenantId, (tx) => workspaceInventory(tx, tenantId))).flatMap((entry) =>
        'customFieldKey' in entry ? [`${entry.table}.${entry.customFieldKey}`] : [],
      );
    assert.deepEqual(await keysOf(admin.info.workspace.id), ['contacts.birthday']);
    assert.deepEqual(await keysOf(other.info.workspace.id), []);
  });
});
