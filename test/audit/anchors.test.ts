import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, it } from 'node:test';
import { anchorAuditChains, latestAnchors } from '../../src/audit/anchors.ts';
import { eventHash } from '../../src/audit/chain.ts';
import { rowToChainedFields, verifyAllChains, verifyTenantChain } from '../../src/audit/service.ts';
import { scheduledBackup } from '../../src/backup/schedule.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { describeEachDatabase, signUp, type TestEnv } from '../support/helpers.ts';

/**
 * Issue 24, finding 6: a DBA who deletes the last events and rewinds audit_chain_heads leaves a
 * shorter chain that is consistent, and verify said "ok". The head of every chain is now signed
 * with a key outside the database and kept outside it (the node's anchor file, every backup);
 * verify compares the chain with the latest anchor.
 */
describeEachDatabase('audit chains anchored outside the database', (env) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lawful-anchors-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const config = (name: string) => ({
    ...env().app.config,
    auditAnchorFile: path.join(dir, `${name}.jsonl`),
    auditAnchorKeyFile: path.join(dir, 'key.pem'),
    backupDir: path.join(dir, `${name}-backups`),
  });

  async function workspaceWithEvents(events: number) {
    const admin = await signUp(env());
    for (let i = 0; i < events; i++) assert.equal((await admin.patch('/api/v1/workspace', { name: `Name ${i}` })).status, 200);
    return admin.info.workspace.id as string;
  }

  /** What a DBA with the owner's rights can do: the append-only trigger off, rows changed, heads rewound. */
  async function asDba(db: TestEnv['db'], statements: Array<[string, unknown[]]>) {
    await db.withSession(async (session) => {
      await session.exec('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
      for (const [text, params] of statements) await session.query(text, params);
      await session.exec('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    });
  }

  it('finds the last events deleted and the head rewound, which the chain alone cannot see', async () => {
    const tenantId = await workspaceWithEvents(4);
    const settings = config('truncation');
    const anchored = await anchorAuditChains(env().db, settings);
    const mine = anchored.find((anchor) => anchor.tenantId === tenantId)!;
    assert.equal(mine.seq, 5);
    assert.match(fs.readFileSync(settings.auditAnchorFile, 'utf8'), new RegExp(`"tenantId":"${tenantId}","seq":5`));

    const previous = await withTenant(env().db, tenantId, (tx) =>
      tx.selectFrom('audit_events').select('hash').where('tenant_id', '=', tenantId).where('seq', '=', 3).executeTakeFirstOrThrow(),
    );
    await asDba(env().db, [
      ['DELETE FROM audit_events WHERE tenant_id = $1 AND seq > 3', [tenantId]],
      ['UPDATE audit_chain_heads SET last_seq = 3, last_hash = $2 WHERE tenant_id = $1', [tenantId, previous.hash]],
    ]);
    assert.equal((await verifyTenantChain(env().db, tenantId)).ok, true, 'without an anchor the rewound chain looks intact');

    const { anchors, forged } = await latestAnchors(settings, { file: settings.auditAnchorFile });
    assert.deepEqual(forged, []);
    const result = await verifyTenantChain(env().db, tenantId, anchors.get(tenantId));
    assert.equal(result.ok, false);
    assert.equal(result.brokenAt!.seq, 4);
    assert.match(result.brokenAt!.reason, /truncated: the anchor of .* saw 5 events, the chain now ends at 3/);
    const all = await verifyAllChains(env().db, anchors);
    assert.equal(all.find((r) => r.tenantId === tenantId)!.ok, false);
  });

  it('finds a chain rewritten with fresh hashes from an edited event on', async () => {
    const tenantId = await workspaceWithEvents(3);
    const settings = config('rewrite');
    await anchorAuditChains(env().db, settings);
    // Event 2 is edited and every hash after it recomputed, the head too: the chain is consistent.
    await env().db.withSession(async (session) => {
      await session.exec('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
      await session.query(`UPDATE audit_events SET action = 'workspace.read' WHERE tenant_id = $1 AND seq = 2`, [tenantId]);
      let prevHash: string | null = null;
      const rows = (await session.query(`SELECT * FROM audit_events WHERE tenant_id = $1 ORDER BY seq`, [tenantId])) as any[];
      for (const row of rows) {
        if (prevHash !== null) row.prev_hash = prevHash;
        const hash = eventHash(rowToChainedFields(row));
        await session.query(`UPDATE audit_events SET prev_hash = $3, hash = $4 WHERE tenant_id = $1 AND seq = $2`, [
          tenantId,
          row.seq,
          row.prev_hash,
          hash,
        ]);
        prevHash = hash;
      }
      await session.query(`UPDATE audit_chain_heads SET last_hash = $2 WHERE tenant_id = $1`, [tenantId, prevHash]);
      await session.exec('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    });
    assert.equal((await verifyTenantChain(env().db, tenantId)).ok, true, 'the rewritten chain is consistent in itself');
    const { anchors } = await latestAnchors(settings, { file: settings.auditAnchorFile });
    const result = await verifyTenantChain(env().db, tenantId, anchors.get(tenantId));
    assert.equal(result.ok, false);
    assert.equal(result.brokenAt!.seq, 4);
    assert.match(result.brokenAt!.reason, /differs from the anchor/);
  });

  it('refuses an anchor the DBA edited to match the shorter chain, and anchors every backup', async () => {
    const tenantId = await workspaceWithEvents(2);
    const settings = config('forged');
    await scheduledBackup({ ...env().app, config: { ...settings, backupSchedule: true } });
    const names = fs.readdirSync(settings.backupDir).filter((name) => name.endsWith('.audit-anchors.json'));
    assert.equal(names.length, 1, 'the backup carries the anchors of that moment');
    const fromBackup = await latestAnchors(settings, { backupLocation: settings.backupDir });
    assert.equal(fromBackup.anchors.get(tenantId)!.seq, 3);

    const lines = fs.readFileSync(settings.auditAnchorFile, 'utf8').trim().split('\n');
    const edited = lines.map((line) => (line.includes(tenantId) ? line.replace('"seq":3', '"seq":1') : line));
    fs.writeFileSync(settings.auditAnchorFile, edited.join('\n') + '\n');
    const read = await latestAnchors(settings, { file: settings.auditAnchorFile });
    assert.equal(read.forged.length, 1, 'the edited line fails its signature');
    assert.equal(read.anchors.has(tenantId), false, 'and is not used');
  });
});
