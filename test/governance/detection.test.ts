import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { withinWorkingHours, scanWorkspace } from '../../src/governance/detection.ts';
import { warnBreachClocks } from '../../src/governance/incidents.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { addMember, Client, describeEachDatabase, signUp, TEST_PASSWORD, type TestEnv } from '../support/helpers.ts';

const HOUR = 3_600_000;

describe('working hours', () => {
  const paris = { timezone: 'Europe/Paris', workDays: [1, 2, 3, 4, 5], workStartHour: 7, workEndHour: 20 };
  it('are read in the workspace time zone, on both sides of a daylight-saving change', () => {
    // Friday 27 March 2026 is still winter time (UTC+1); Monday 30 March is summer time (UTC+2).
    assert.equal(withinWorkingHours(new Date('2026-03-27T05:30:00Z'), paris), false, '06:30 CET');
    assert.equal(withinWorkingHours(new Date('2026-03-27T06:30:00Z'), paris), true, '07:30 CET');
    assert.equal(withinWorkingHours(new Date('2026-03-30T05:30:00Z'), paris), true, '07:30 CEST');
    assert.equal(withinWorkingHours(new Date('2026-03-30T18:30:00Z'), paris), false, '20:30 CEST');
    assert.equal(withinWorkingHours(new Date('2026-03-28T10:00:00Z'), paris), false, 'Saturday');
    assert.equal(withinWorkingHours(new Date('2026-03-29T23:30:00Z'), { ...paris, timezone: 'UTC' }), false, 'Sunday in UTC');
  });
});

async function incidentsBySource(env: TestEnv, tenantId: string, source: string) {
  return withTenant(env.db, tenantId, (tx) =>
    tx.selectFrom('incidents').selectAll().where('tenant_id', '=', tenantId).where('source', '=', source).execute(),
  );
}

async function logIn(env: TestEnv, email: string, ip: string, password = TEST_PASSWORD, headers: Record<string, string> = {}) {
  const client = new Client(env.server, ip);
  const response = await client.request('POST', '/api/v1/auth/login', { email, password }, headers);
  return { client, status: response.status };
}

describeEachDatabase('detection on the audit trail', (env) => {
  it('an export outside working hours opens one draft listing exactly the exported people', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const dpo = await addMember(env(), admin, 'salesperson', { isDpo: true });
    for (let i = 0; i < 3; i++) await admin.post('/api/v1/contacts', { firstName: `Night${i}`, email: `night${i}@detect.example` });
    await scanWorkspace(env().app, tenantId);

    // Working hours that include every moment: an export is ordinary.
    assert.equal(
      (await admin.patch('/api/v1/detection-settings', { workDays: [1, 2, 3, 4, 5, 6, 7], workStartHour: 0, workEndHour: 24 })).status,
      200,
    );
    assert.equal((await admin.get('/api/v1/exports/contacts?format=json')).status, 200);
    assert.deepEqual(await scanWorkspace(env().app, tenantId), []);

    // Today is not a working day any more: the same export is flagged.
    const today = ((new Date().getUTCDay() + 6) % 7) + 1;
    const days = [1, 2, 3, 4, 5, 6, 7].filter((day) => day !== today);
    const settings = await admin.patch('/api/v1/detection-settings', { timezone: 'UTC', workDays: days });
    assert.equal(settings.status, 200);
    const exported = (await admin.get('/api/v1/exports/contacts?format=json')).body;
    const opened = await scanWorkspace(env().app, tenantId);
    assert.equal(opened.length, 1);
    assert.deepEqual(await scanWorkspace(env().app, tenantId), [], 'each event is examined once');
    const [draft] = await incidentsBySource(env(), tenantId, 'detection:after_hours_export');
    assert.equal(draft!.status, 'draft');
    const listed = await withTenant(env().db, tenantId, (tx) =>
      tx.selectFrom('incident_persons').select('person_id').where('incident_id', '=', draft!.id).execute(),
    );
    assert.deepEqual(listed.map((row) => row.person_id).sort(), exported.map((row: any) => row.id).sort());
    assert.ok(env().mailer.sent.some((mail) => mail.to === dpo.info.user.email && /outside working hours/.test(mail.subject)));

    // A rescan from the start judges the earlier export by today's hours too, but never opens a
    // second draft for an export already flagged.
    await withTenant(env().db, tenantId, (tx) =>
      tx.updateTable('detection_settings').set({ scanned_seq: '0' }).where('tenant_id', '=', tenantId).execute(),
    );
    assert.equal((await scanWorkspace(env().app, tenantId)).length, 1);
    assert.deepEqual(await scanWorkspace(env().app, tenantId), []);
    const keys = (await incidentsBySource(env(), tenantId, 'detection:after_hours_export')).map((incident) => incident.detection_key);
    assert.equal(new Set(keys).size, 2);

    const invalid = await admin.patch('/api/v1/detection-settings', { workStartHour: 18, workEndHour: 9 });
    assert.equal(invalid.status, 422);
    assert.equal((await admin.patch('/api/v1/detection-settings', { timezone: 'Mars/Olympus' })).status, 400);
  });

  it('many failed sign-ins to one member, and a sign-in from a new network or country, open drafts', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const email = `seller-${Date.now()}@detect.example`;
    await addMember(env(), admin, 'salesperson', { email });
    await admin.patch('/api/v1/detection-settings', { failedLoginThreshold: 3, failedLoginWindowMinutes: 30 });

    assert.equal((await logIn(env(), email, '192.0.2.10')).status, 200);
    assert.equal((await logIn(env(), email, '192.0.2.77')).status, 200, 'same /24');
    await scanWorkspace(env().app, tenantId);
    assert.equal(
      (await incidentsBySource(env(), tenantId, 'detection:new_network')).length,
      0,
      'the first sign-in teaches, the same /24 is known',
    );
    for (let i = 0; i < 2; i++) assert.equal((await logIn(env(), email, '192.0.2.10', 'a wrong password for this account')).status, 401);
    await scanWorkspace(env().app, tenantId);
    assert.equal((await incidentsBySource(env(), tenantId, 'detection:failed_logins')).length, 0, 'two failures are below the threshold');
    assert.equal((await logIn(env(), email, '192.0.2.10', 'a wrong password for this account')).status, 401);
    await scanWorkspace(env().app, tenantId);
    const [failed] = await incidentsBySource(env(), tenantId, 'detection:failed_logins');
    assert.match(failed!.nature, /3 failed sign-in attempts/);

    // A known network raises nothing; a new one does, once.
    await logIn(env(), email, '192.0.2.10');
    await scanWorkspace(env().app, tenantId);
    assert.equal((await incidentsBySource(env(), tenantId, 'detection:new_network')).length, 0);
    await logIn(env(), email, '2001:db8:abcd:12::1');
    await logIn(env(), email, '2001:db8:abcd:99::1');
    await scanWorkspace(env().app, tenantId);
    const networks = await incidentsBySource(env(), tenantId, 'detection:new_network');
    assert.equal(networks.length, 1, 'one draft for the new /48, not one per address');
    assert.ok(networks.some((incident) => incident.nature.includes('2001:db8:abcd::/48')));

    // Countries, when a trusted proxy reports them: the first only teaches, a new one alerts.
    const config = env().app.config as { trustProxy: boolean; countryHeader: string | undefined };
    Object.assign(config, { trustProxy: true, countryHeader: 'cf-ipcountry' });
    try {
      await logIn(env(), email, '192.0.2.10', TEST_PASSWORD, { 'cf-ipcountry': 'FR' });
      await logIn(env(), email, '192.0.2.10', TEST_PASSWORD, { 'cf-ipcountry': 'fr' });
      await scanWorkspace(env().app, tenantId);
      assert.equal((await incidentsBySource(env(), tenantId, 'detection:new_network')).length, 1);
      await logIn(env(), email, '192.0.2.10', TEST_PASSWORD, { 'cf-ipcountry': 'BR' });
      await scanWorkspace(env().app, tenantId);
      const all = await incidentsBySource(env(), tenantId, 'detection:new_network');
      assert.equal(all.length, 2);
      assert.ok(all.some((incident) => incident.nature.includes('country:BR')));
    } finally {
      Object.assign(config, { trustProxy: false, countryHeader: undefined });
    }
  });

  it('the 72-hour clock warns the DPO once at 48 hours and once at 24 hours left, and stops warning once decided', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const dpo = await addMember(env(), admin, 'salesperson', { isDpo: true });
    const now = Date.now();
    const create = async (title: string, hoursAgo: number) =>
      (await admin.post('/api/v1/incidents', { title, awareAt: new Date(now - hoursAgo * HOUR).toISOString() })).body.id as string;
    const fresh = await create('Laptop stolen', 5);
    const older = await create('Misdirected email', 30);
    const late = await create('Found late', 60);
    const decided = await create('Encrypted backup lost', 40);
    await admin.post(`/api/v1/incidents/${decided}/decision`, {
      notificationRequired: false,
      reason: 'The backup was encrypted and the key is safe: no risk to people',
    });

    const warningsTo = (title: string) =>
      env().mailer.sent.filter((mail) => mail.to === dpo.info.user.email && mail.subject.includes(title));
    await warnBreachClocks(env().app, new Date(now));
    assert.equal(warningsTo('Laptop stolen').length, 0);
    assert.equal(warningsTo('Misdirected email').length, 1);
    assert.match(warningsTo('Misdirected email')[0]!.subject, /42 hours left/);
    assert.equal(warningsTo('Found late').length, 1, 'past both thresholds: one warning, the 24-hour one');
    assert.match(warningsTo('Found late')[0]!.subject, /12 hours left/);
    assert.equal(warningsTo('Encrypted backup lost').length, 0, 'no notification due, no clock');

    await warnBreachClocks(env().app, new Date(now + HOUR));
    assert.equal(warningsTo('Misdirected email').length, 1, 'each warning goes once');
    await warnBreachClocks(env().app, new Date(now + 20 * HOUR));
    assert.equal(warningsTo('Misdirected email').length, 2);
    assert.match(warningsTo('Misdirected email')[1]!.subject, /22 hours left/);
    assert.equal(warningsTo('Laptop stolen').length, 1, 'the fresh one reached 48 hours left');
    await warnBreachClocks(env().app, new Date(now + 21 * HOUR));
    assert.equal(warningsTo('Misdirected email').length, 2);

    // The authority was notified: no more warnings for that one.
    await admin.post(`/api/v1/incidents/${fresh}/decision`, {
      notificationRequired: true,
      reason: 'Unencrypted laptop with customer list',
    });
    await admin.patch(`/api/v1/incidents/${fresh}`, { status: 'notified' });
    await warnBreachClocks(env().app, new Date(now + 60 * HOUR));
    assert.equal(warningsTo('Laptop stolen').length, 1);
    const audit = await withTenant(env().db, tenantId, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(sql<string>`count(*)`.as('n'))
        .where('tenant_id', '=', tenantId)
        .where('action', '=', 'incident.clock_warning')
        .executeTakeFirstOrThrow(),
    );
    assert.equal(Number(audit.n), 4);
    assert.ok(older && late);
  });
});
