import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { listBackups } from '../../src/backup/archive.ts';
import { restoreDrill, scheduledBackup } from '../../src/backup/schedule.ts';
import { describeEachDatabase, signUp } from '../support/helpers.ts';

describeEachDatabase('scheduled backups and the restore drill', (env) => {
  it('backs up hourly (a full backup a day), restores the newest backup as a drill, and shows a failed drill on the dashboard', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lawful-scheduled-'));
    const config = env().app.config;
    Object.assign(config, { backupSchedule: true, backupDir: dir });
    try {
      const admin = await signUp(env());
      for (let i = 0; i < 3; i++) await admin.post('/api/v1/contacts', { firstName: `Drill${i}`, emails: [`drill${i}@example.org`] });
      // Two ticks: a full backup, then (the full one being fresh) an incremental one; each time
      // the drill restores the newest backup with its chain.
      for (let tick = 0; tick < 2; tick++) {
        await admin.post('/api/v1/contacts', { firstName: `Tick${tick}` });
        await env().app.jobs.runSchedulesNow();
        await env().app.jobs.drain();
      }
      assert.deepEqual(
        (await listBackups(dir)).map((b) => b.kind),
        ['full', 'incremental'],
      );
      assert.deepEqual(await restoreDrill(env().app), { ok: true, error: null }, 'the drill restores the full and the incremental backup');
      // A day on, the hourly tick writes a full backup again.
      assert.equal((await scheduledBackup(env().app, new Date(Date.now() + 24 * 3600_000)))?.kind, 'full');
      let summary = (await admin.get('/api/v1/compliance/summary')).body;
      assert.equal(summary.backups.lastDrill.ok, true, JSON.stringify(summary.backups));
      assert.ok((await listBackups(dir)).some((b) => b.id === summary.backups.lastDrill.backupId));
      const procedures = () => summary.cnil.steps.find((s: any) => s.step.startsWith('Organise internal procedures'));
      assert.ok(!procedures().detail.includes('restore drill'));

      // The newest backup is damaged: the next drill says so, and so does the dashboard.
      const newest = (await listBackups(dir)).at(-1)!;
      const file = path.join(dir, newest.data.name);
      const bytes = fs.readFileSync(file);
      bytes[bytes.length >> 1]! ^= 0xff;
      fs.writeFileSync(file, bytes);
      const drill = await restoreDrill(env().app);
      assert.equal(drill?.ok, false);
      summary = (await admin.get('/api/v1/compliance/summary')).body;
      assert.equal(summary.backups.lastDrill.ok, false);
      assert.match(summary.backups.lastDrill.error, /checksum/);
      assert.match(procedures().detail, /the last restore drill failed/);
    } finally {
      Object.assign(config, { backupSchedule: false });
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
