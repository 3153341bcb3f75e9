import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { listBackups } from '../../src/backup/archive.ts';
import { restoreDrill } from '../../src/backup/schedule.ts';
import { describeEachDatabase, signUp } from '../helpers.ts';

describeEachDatabase('scheduled backups and the restore drill', (env) => {
  it('backs up daily, restores the newest backup as a drill, and shows a failed drill on the dashboard', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lawful-scheduled-'));
    const config = env().app.config;
    Object.assign(config, { backupSchedule: true, backupDir: dir });
    try {
      const admin = await signUp(env());
      for (let i = 0; i < 3; i++) await admin.post('/api/v1/contacts', { firstName: `Drill${i}`, emails: [`drill${i}@example.org`] });
      // Two daily ticks: each writes a backup and drills the newest one there is.
      for (let day = 0; day < 2; day++) {
        await env().app.jobs.runSchedulesNow();
        await env().app.jobs.drain();
      }
      assert.ok(listBackups(dir).length >= 2);
      let summary = (await admin.get('/api/v1/compliance/summary')).body;
      assert.equal(summary.backups.lastDrill.ok, true, JSON.stringify(summary.backups));
      assert.ok(listBackups(dir).some((b) => b.id === summary.backups.lastDrill.backupId));
      const procedures = () => summary.cnil.steps.find((s: any) => s.step.startsWith('Organise internal procedures'));
      assert.ok(!procedures().detail.includes('restore drill'));

      // The newest backup is damaged: the next drill says so, and so does the dashboard.
      const newest = listBackups(dir).at(-1)!;
      const file = path.join(dir, newest.file);
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
