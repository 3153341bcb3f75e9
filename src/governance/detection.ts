import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { networkOf } from '../audit/service.ts';
import { sha256 } from '../auth/secrets.ts';
import { asCaller, type Caller } from '../auth/context.ts';
import { isoRequired } from '../shared/dates.ts';
import { withTenant, type Tx } from '../db/tenant.ts';
import { unprocessable } from '../http/errors.ts';
import { openDetectedIncident } from './incidents.ts';

/**
 * Detection rules over the audit trail. A scheduled scan reads each workspace's events once (it
 * keeps the last seq it examined) and opens a draft incident, with a DPO alert, for:
 *   - an export of people outside working hours (in the workspace's time zone);
 *   - many failed sign-ins to one member within a window;
 *   - a sign-in from a network (IPv4 /24, IPv6 /48) or country the member never used before.
 * The bulk-export rule runs at export time (src/transfer/export.ts). Each finding opens one draft,
 * however often the scan runs and on however many nodes.
 */

const SCAN_PAGE = 2000;

export const detectionSettingsInput = z.object({
  timezone: z.string().min(1).max(64).refine(isTimeZone, 'not an IANA time zone, e.g. Europe/Paris').optional(),
  workDays: z.array(z.number().int().min(1).max(7)).min(1).max(7).describe('ISO weekdays, 1 = Monday').optional(),
  workStartHour: z.number().int().min(0).max(23).optional(),
  workEndHour: z.number().int().min(1).max(24).optional(),
  failedLoginThreshold: z.number().int().min(3).max(1000).optional(),
  failedLoginWindowMinutes: z.number().int().min(5).max(1440).optional(),
  newNetworkAlerts: z.boolean().optional(),
});
export const detectionSettingsView = z.object({
  timezone: z.string(),
  workDays: z.array(z.number()),
  workStartHour: z.number(),
  workEndHour: z.number(),
  failedLoginThreshold: z.number(),
  failedLoginWindowMinutes: z.number(),
  newNetworkAlerts: z.boolean(),
  scannedUpTo: z.number().describe('The last audit event examined'),
  updatedAt: z.string(),
});
type Settings = z.infer<typeof detectionSettingsView>;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** With lock, concurrent scans of one workspace take turns on its settings row. */
async function loadSettings(tx: Tx, tenantId: string, lock = false): Promise<Settings> {
  await tx
    .insertInto('detection_settings')
    .values({ tenant_id: tenantId })
    .onConflict((c) => c.column('tenant_id').doNothing())
    .execute();
  const query = tx.selectFrom('detection_settings').selectAll().where('tenant_id', '=', tenantId);
  const row = await (lock ? query.forUpdate() : query).executeTakeFirstOrThrow();
  return {
    timezone: row.timezone,
    workDays: row.work_days.map(Number),
    workStartHour: row.work_start_hour,
    workEndHour: row.work_end_hour,
    failedLoginThreshold: row.failed_login_threshold,
    failedLoginWindowMinutes: row.failed_login_window_min,
    newNetworkAlerts: row.new_network_alerts,
    scannedUpTo: Number(row.scanned_seq),
    updatedAt: isoRequired(row.updated_at),
  };
}

export function getDetectionSettings(app: AppContext, caller: Caller) {
  return asCaller(app, caller, (tx) => loadSettings(tx, caller.auth.tenantId));
}

export function updateDetectionSettings(app: AppContext, caller: Caller, input: z.infer<typeof detectionSettingsInput>) {
  return asCaller(app, caller, async (tx, audit) => {
    const current = await loadSettings(tx, caller.auth.tenantId);
    const start = input.workStartHour ?? current.workStartHour;
    const end = input.workEndHour ?? current.workEndHour;
    if (start >= end) throw unprocessable('Working hours must start before they end.', { field: 'workStartHour', start, end });
    await tx
      .updateTable('detection_settings')
      .set({
        ...(input.timezone !== undefined ? { timezone: input.timezone } : {}),
        ...(input.workDays !== undefined ? { work_days: [...new Set(input.workDays)].sort() } : {}),
        work_start_hour: start,
        work_end_hour: end,
        ...(input.failedLoginThreshold !== undefined ? { failed_login_threshold: input.failedLoginThreshold } : {}),
        ...(input.failedLoginWindowMinutes !== undefined ? { failed_login_window_min: input.failedLoginWindowMinutes } : {}),
        ...(input.newNetworkAlerts !== undefined ? { new_network_alerts: input.newNetworkAlerts } : {}),
        updated_at: new Date(),
      })
      .where('tenant_id', '=', caller.auth.tenantId)
      .execute();
    await audit({
      action: 'detection.settings',
      objectType: 'detection_settings',
      objectId: caller.auth.tenantId,
      fields: Object.keys(input),
    });
    return loadSettings(tx, caller.auth.tenantId);
  });
}

/** Whether a moment falls within the workspace's working hours, in its own time zone. */
export function withinWorkingHours(at: Date, settings: Pick<Settings, 'timezone' | 'workDays' | 'workStartHour' | 'workEndHour'>): boolean {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: settings.timezone,
    weekday: 'short',
    hour: 'numeric',
    minute: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(part('weekday')) + 1;
  const hours = Number(part('hour')) + Number(part('minute')) / 60;
  return settings.workDays.includes(weekday) && hours >= settings.workStartHour && hours < settings.workEndHour;
}

interface ScannedEvent {
  seq: number;
  occurred_at: Date;
  actor_type: string;
  actor_id: string | null;
  action: string;
  object_id: string | null;
  fields: string[];
  ip: string | null;
}

type Finding = Parameters<typeof openDetectedIncident>[2];

async function afterHoursExport(tx: Tx, tenantId: string, event: ScannedEvent, settings: Settings): Promise<Finding | null> {
  if (!event.action.endsWith('.export') || !event.object_id?.startsWith('export:')) return null;
  const at = new Date(event.occurred_at);
  if (withinWorkingHours(at, settings)) return null;
  const exportId = event.object_id.slice('export:'.length);
  const people = await tx
    .selectFrom('export_items')
    .select(sql<string>`count(*)`.as('n'))
    .where('tenant_id', '=', tenantId)
    .where('export_id', '=', exportId)
    .executeTakeFirstOrThrow();
  if (Number(people.n) === 0) return null;
  return {
    key: `after_hours_export:${exportId}`,
    rule: 'after_hours_export',
    title: `Export of ${people.n} people outside working hours`,
    nature: `An export of ${people.n} people (export ${exportId}) by ${event.actor_id ?? 'unknown'} at ${at.toISOString()}, outside the working hours set for the workspace (${settings.workStartHour}:00–${settings.workEndHour}:00 ${settings.timezone}). Check whether it was authorised.`,
    approxPersons: Number(people.n),
    exportId,
  };
}

async function failedLogins(tx: Tx, tenantId: string, event: ScannedEvent, settings: Settings): Promise<Finding | null> {
  if (event.action !== 'auth.login_failed' || event.actor_type !== 'member' || !event.actor_id) return null;
  const at = new Date(event.occurred_at);
  const since = new Date(at.getTime() - settings.failedLoginWindowMinutes * 60_000);
  const count = await tx
    .selectFrom('audit_events')
    .select(sql<string>`count(*)`.as('n'))
    .where('tenant_id', '=', tenantId)
    .where('action', '=', 'auth.login_failed')
    .where('actor_id', '=', event.actor_id)
    .where('occurred_at', '>', since)
    .where('occurred_at', '<=', at)
    .executeTakeFirstOrThrow();
  if (Number(count.n) < settings.failedLoginThreshold) return null;
  return {
    key: `failed_logins:${event.actor_id}:${at.toISOString().slice(0, 10)}`,
    rule: 'failed_logins',
    title: `${count.n} failed sign-ins to one member's account`,
    nature: `${count.n} failed sign-in attempts to member ${event.actor_id} within ${settings.failedLoginWindowMinutes} minutes (up to ${at.toISOString()}), at or above the threshold of ${settings.failedLoginThreshold}. Someone may be guessing the password; check whether the account was entered.`,
    approxPersons: null,
    exportId: null,
  };
}

/** A sign-in from a network or country the member has not used before (the first one of each kind only teaches). */
async function newNetwork(tx: Tx, tenantId: string, event: ScannedEvent, settings: Settings): Promise<Finding | null> {
  if (event.action !== 'auth.login' || event.actor_type !== 'member' || !event.actor_id) return null;
  const memberId = event.actor_id;
  const places = [event.ip ? networkOf(event.ip) : null, ...event.fields.filter((field) => field.startsWith('country:'))].filter(
    (place): place is string => Boolean(place),
  );
  if (places.length === 0) return null;
  const known = await tx
    .selectFrom('member_networks')
    .select('network')
    .where('tenant_id', '=', tenantId)
    .where('member_id', '=', memberId)
    .execute();
  const knownSet = new Set(known.map((row) => row.network));
  // Networks and countries are learnt separately: the first of each kind only teaches.
  const isCountry = (place: string) => place.startsWith('country:');
  const fresh = places.filter((place) => !knownSet.has(place) && known.some((row) => isCountry(row.network) === isCountry(place)));
  const at = new Date(event.occurred_at);
  for (const place of places) {
    await tx
      .insertInto('member_networks')
      .values({ tenant_id: tenantId, member_id: memberId, network: place, first_seen: at, last_seen: at })
      .onConflict((c) =>
        c
          .columns(['tenant_id', 'member_id', 'network'])
          .doUpdateSet({ last_seen: sql`greatest(member_networks.last_seen, excluded.last_seen)` }),
      )
      .execute();
  }
  if (fresh.length === 0 || !settings.newNetworkAlerts) return null;
  return {
    key: `new_network:${memberId}:${sha256(fresh.join(',')).toString('hex')}`,
    rule: 'new_network',
    title: 'Sign-in from a new network or country',
    nature: `Member ${memberId} signed in at ${at.toISOString()} from ${fresh.join(' and ')}, never used by this member before. Check with the member that it was them.`,
    approxPersons: null,
    exportId: null,
  };
}

const RULES = [afterHoursExport, failedLogins, newNetwork];

/** Examines the events of one workspace since the last scan; returns the incidents opened. */
export async function scanWorkspace(app: AppContext, tenantId: string): Promise<string[]> {
  const opened: string[] = [];
  for (;;) {
    const { findings, done } = await withTenant(app.db, tenantId, async (tx) => {
      const settings = await loadSettings(tx, tenantId, true);
      // Sequence numbers become visible in order (appending locks the chain head until commit),
      // so nothing at or below the highest one seen now can still appear.
      const upTo = await visibleSeq(tx, tenantId);
      const events = await tx
        .selectFrom('audit_events')
        .select(['seq', 'occurred_at', 'actor_type', 'actor_id', 'action', 'object_id', 'fields', 'ip'])
        .where('tenant_id', '=', tenantId)
        .where('seq', '>', settings.scannedUpTo)
        .where('seq', '<=', upTo)
        .where((eb) => eb.or([eb('action', 'like', '%.export'), eb('action', 'in', ['auth.login', 'auth.login_failed'])]))
        .orderBy('seq')
        .limit(SCAN_PAGE)
        .execute();
      const found: Finding[] = [];
      for (const event of events) {
        for (const rule of RULES) {
          const finding = await rule(tx, tenantId, event, settings);
          if (finding) found.push(finding);
        }
      }
      const last = events.length === SCAN_PAGE ? Number(events.at(-1)!.seq) : upTo;
      await tx
        .updateTable('detection_settings')
        .set({ scanned_seq: String(Math.max(last, settings.scannedUpTo)) })
        .where('tenant_id', '=', tenantId)
        .execute();
      return { findings: found, done: events.length < SCAN_PAGE };
    });
    for (const finding of findings) {
      const id = await openDetectedIncident(app, tenantId, finding);
      if (id) opened.push(id);
    }
    if (done) return opened;
  }
}

async function visibleSeq(tx: Tx, tenantId: string): Promise<number> {
  const row = await tx
    .selectFrom('audit_events')
    .select(sql<string | null>`max(seq)`.as('seq'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow();
  return Number(row.seq ?? 0);
}

/** Scheduled: every workspace. */
export async function scanAll(app: AppContext): Promise<number> {
  const tenants = await app.db.kysely.selectFrom('tenants').select('id').execute();
  let opened = 0;
  for (const { id } of tenants) opened += (await scanWorkspace(app, id)).length;
  return opened;
}
