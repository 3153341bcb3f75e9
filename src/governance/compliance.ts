import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { asCaller, type Caller } from '../auth/context.ts';
import type { Tx } from '../db/tenant.ts';
import { ensureDefaultRules, matches } from '../retention/service.ts';
import { clockOf } from './incidents.ts';
import { registerChanges } from './register.ts';
import { EEA } from '../shared/countries.ts';
import { noticeCountsOf } from '../notices/queue.ts';
import { noticeCounts } from '../notices/schema.ts';

/**
 * The compliance dashboard: the figures a DPO reports on, each computed by one query over the
 * data itself (no counters kept on the side), and the CNIL's six steps scored with links to the
 * evidence.
 */

/** A direct-marketing activity over this many people is processing on a large scale (CNIL list of DPIA cases). */
export const LARGE_SCALE_PEOPLE = 5000;
/** The register counts as maintained when saved within this many days and unchanged since. */
const REGISTER_FRESH_DAYS = 365;
/** Retention backlog is counted up to this many records per rule. */
const BACKLOG_CAP = 10_000;

const stepStatus = z.enum(['done', 'partial', 'missing']);
export const complianceSummary = z.object({
  generatedAt: z.string(),
  people: z.number().describe('Contacts and unconverted leads held, anonymised ones excepted'),
  consent: z.array(
    z.object({
      purposeId: z.string(),
      key: z.string(),
      name: z.string(),
      granted: z.number().describe('Valid consents: given (and confirmed when required), not withdrawn, not expired'),
      pending: z.number(),
      withdrawn: z.number().describe('Withdrawn, expired or objected'),
      rate: z.number().describe('granted / people, 0..1'),
    }),
  ),
  peopleWithoutValidBasis: z.number().describe('People no active purpose has a legal basis for'),
  dsr: z.object({
    byStatus: z.record(z.string(), z.number()),
    open: z.number(),
    overdue: z.number(),
    dueWithin7Days: z.number(),
    nextDueAt: z.string().nullable(),
  }),
  retentionBacklog: z.array(
    z.object({ ruleId: z.string(), name: z.string(), target: z.string(), action: z.string(), backlog: z.number(), capped: z.boolean() }),
  ),
  incidents: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      status: z.string(),
      deadline: z.string(),
      hoursRemaining: z.number(),
      level: z.string(),
    }),
  ),
  training: z.object({ assignments: z.number(), completed: z.number(), overdue: z.number(), completionRate: z.number() }),
  art14Notices: noticeCounts.describe('People whose data did not come from them, and their Art. 14 notices'),
  connectedCrmRefusals: z
    .array(
      z.object({
        integrationId: z.string(),
        label: z.string(),
        operation: z.enum(['erasure', 'rectification', 'objection']),
        requestId: z.string().nullable(),
        count: z.number(),
        attempts: z.number(),
        lastError: z.string().nullable(),
      }),
    )
    .describe(
      'Review items (Art. 19): erasures, rectifications and objections a connected CRM refused at least once and still owes; they are retried',
    ),
  subprocessors: z.object({
    count: z.number(),
    thirdCountryTransfers: z.array(z.object({ name: z.string(), country: z.string(), safeguard: z.string() })),
  }),
  backups: z.object({
    lastDrill: z
      .object({ ranAt: z.string(), backupId: z.string(), backupTakenAt: z.string(), ok: z.boolean(), error: z.string().nullable() })
      .nullable()
      .describe('The newest restore drill: the newest backup restored into a scratch database and checked against its manifest'),
  }),
  cnil: z.object({
    score: z.number().describe('0..100: done steps count fully, partial ones half'),
    steps: z.array(
      z.object({
        step: z.string(),
        status: stepStatus,
        detail: z.string(),
        evidence: z.array(z.object({ label: z.string(), href: z.string() })),
      }),
    ),
  }),
});
type Summary = z.infer<typeof complianceSummary>;
type Step = Summary['cnil']['steps'][number];

const count = (value: unknown) => Number(value ?? 0);
const isoDay = (value: Date | string) => (value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10));

/** People held: the population every rate is taken over. */
const PEOPLE = sql`(
  select id, tenant_id from contacts where anonymised_at is null
  union all
  select id, tenant_id from leads where anonymised_at is null and converted_at is null
)`;

async function peopleCount(tx: Tx, tenantId: string): Promise<number> {
  const { rows } = await sql<{ n: string }>`select count(*) as n from ${PEOPLE} p where p.tenant_id = ${tenantId}`.execute(tx);
  return count(rows[0]?.n);
}

/** A granted consent (state row s of purpose u) still within the purpose's validity at `now`. */
const stillValid = (now: Date) =>
  sql`(u.consent_valid_days is null or s.since > ${now}::timestamptz - make_interval(days => u.consent_valid_days))`;

/** Per active consent purpose: people whose consent is valid now, pending, or ended. */
async function consentRates(tx: Tx, tenantId: string, people: number, now: Date): Promise<Summary['consent']> {
  const { rows } = await sql<{ id: string; key: string; name: string; granted: string; pending: string; ended: string }>`
    select u.id, u.key, u.name,
      count(*) filter (where s.state = 'granted' and ${stillValid(now)}) as granted,
      count(*) filter (where s.state = 'pending') as pending,
      count(*) filter (where s.state in ('withdrawn', 'expired', 'objected')
                        or (s.state = 'granted' and not ${stillValid(now)})) as ended
    from purposes u
    left join consent_states s on s.tenant_id = u.tenant_id and s.purpose_id = u.id
      and exists (select 1 from ${PEOPLE} p where p.tenant_id = s.tenant_id and p.id = s.person_id)
    where u.tenant_id = ${tenantId} and u.status = 'active' and u.legal_basis = 'consent'
    group by u.id, u.key, u.name
    order by u.name, u.id`.execute(tx);
  return rows.map((row) => ({
    purposeId: row.id,
    key: row.key,
    name: row.name,
    granted: count(row.granted),
    pending: count(row.pending),
    withdrawn: count(row.ended),
    rate: people === 0 ? 0 : Math.round((count(row.granted) / people) * 10_000) / 10_000,
  }));
}

/**
 * People for whom no active purpose has a legal basis, as the gate judges the basis: a valid
 * consent for a consent purpose; for the other bases, no objection to it (and for a
 * direct-marketing purpose, no objection to any direct-marketing purpose, Art. 21(3)).
 */
async function withoutValidBasis(tx: Tx, tenantId: string, now: Date): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    select count(*) as n from ${PEOPLE} p
    where p.tenant_id = ${tenantId}
      and not exists (
        select 1 from purposes u
        left join consent_states s on s.tenant_id = u.tenant_id and s.purpose_id = u.id and s.person_id = p.id
        where u.tenant_id = p.tenant_id and u.status = 'active'
          and (
            (u.legal_basis = 'consent' and s.state = 'granted' and ${stillValid(now)})
            or (u.legal_basis <> 'consent' and s.state is distinct from 'objected'
              and not (u.direct_marketing and exists (
                select 1 from consent_states o join purposes m on m.tenant_id = o.tenant_id and m.id = o.purpose_id
                where o.tenant_id = p.tenant_id and o.person_id = p.id and o.state = 'objected' and m.direct_marketing)))
          )
      )`.execute(tx);
  return count(rows[0]?.n);
}

async function dsrFigures(tx: Tx, tenantId: string, now: Date): Promise<Summary['dsr']> {
  const byStatus = await tx
    .selectFrom('dsr_requests')
    .select(['status', sql<string>`count(*)`.as('n')])
    .where('tenant_id', '=', tenantId)
    .groupBy('status')
    .execute();
  const open = await tx
    .selectFrom('dsr_requests')
    .select([
      sql<string>`count(*)`.as('open'),
      sql<string>`count(*) filter (where due_at < ${now})`.as('overdue'),
      sql<string>`count(*) filter (where due_at >= ${now} and due_at < ${new Date(now.getTime() + 7 * 86_400_000)})`.as('soon'),
      sql<Date | null>`min(due_at)`.as('next'),
    ])
    .where('tenant_id', '=', tenantId)
    .where('status', 'not in', ['completed', 'rejected'])
    .executeTakeFirstOrThrow();
  return {
    byStatus: Object.fromEntries(byStatus.map((row) => [row.status, count(row.n)])),
    open: count(open.open),
    overdue: count(open.overdue),
    dueWithin7Days: count(open.soon),
    nextDueAt: open.next ? new Date(open.next).toISOString() : null,
  };
}

async function retentionBacklog(tx: Tx, tenantId: string, now: Date): Promise<Summary['retentionBacklog']> {
  await ensureDefaultRules(tx, tenantId);
  const rules = await tx
    .selectFrom('retention_rules')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('enabled', '=', true)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const items: Summary['retentionBacklog'] = [];
  for (const rule of rules) {
    const found = await matches(tx, tenantId, rule, now, BACKLOG_CAP + 1);
    items.push({
      ruleId: rule.id,
      name: rule.name,
      target: rule.target,
      action: rule.action,
      backlog: Math.min(found.length, BACKLOG_CAP),
      capped: found.length > BACKLOG_CAP,
    });
  }
  return items;
}

async function connectedCrmRefusals(tx: Tx, tenantId: string): Promise<Summary['connectedCrmRefusals']> {
  const { rows } = await sql<{
    integration_id: string;
    label: string;
    operation: 'erasure' | 'rectification' | 'objection';
    request_id: string | null;
    count: number;
    attempts: number;
    last_error: string | null;
  }>`
    select o.integration_id, i.label, o.operation, o.request_id, count(*)::int as count, max(o.attempts)::int as attempts,
           max(o.last_error) as last_error
    from (select tenant_id, integration_id, 'erasure' as operation, request_id, attempts, last_error from sync_erasures
          union all
          select tenant_id, integration_id, operation, request_id, attempts, last_error from sync_rights_owed) o
    join integrations i on i.tenant_id = o.tenant_id and i.id = o.integration_id
    where o.tenant_id = ${tenantId} and o.attempts > 0
    group by o.integration_id, i.label, o.operation, o.request_id
    order by i.label, o.operation`.execute(tx);
  return rows.map((row) => ({
    integrationId: row.integration_id,
    label: row.label,
    operation: row.operation,
    requestId: row.request_id,
    count: row.count,
    attempts: row.attempts,
    lastError: row.last_error,
  }));
}

async function openIncidents(tx: Tx, tenantId: string, now: Date): Promise<Summary['incidents']> {
  const rows = await tx
    .selectFrom('incidents')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('status', 'in', ['draft', 'open'])
    .orderBy('aware_at')
    .orderBy('id')
    .execute();
  return rows.map((row) => {
    return { id: row.id, title: row.title, status: row.status, ...clockOf(row, now) };
  });
}

/** Each active member's current assignment of each module (a refresher replaces the one before). */
async function trainingFigures(tx: Tx, tenantId: string, now: Date): Promise<Summary['training']> {
  const { rows } = await sql<{ total: string; completed: string; overdue: string }>`
    select count(*) as total,
      count(*) filter (where completed_at is not null) as completed,
      count(*) filter (where completed_at is null and due_at < ${now}) as overdue
    from (
      select distinct on (a.member_id, a.module_id) a.completed_at, a.due_at
      from training_assignments a
      join training_modules t on t.tenant_id = a.tenant_id and t.id = a.module_id and t.archived_at is null
      join members m on m.tenant_id = a.tenant_id and m.id = a.member_id and m.status = 'active'
      where a.tenant_id = ${tenantId}
      order by a.member_id, a.module_id, a.assigned_at desc, a.id
    ) current`.execute(tx);
  const total = count(rows[0]?.total);
  const completed = count(rows[0]?.completed);
  return {
    assignments: total,
    completed,
    overdue: count(rows[0]?.overdue),
    completionRate: total === 0 ? 0 : Math.round((completed / total) * 10_000) / 10_000,
  };
}

/** What the dashboard reads of the active purposes and sub-processors, once. */
async function loadActive(tx: Tx, tenantId: string) {
  return {
    purposes: await tx
      .selectFrom('purposes')
      .select(['id', 'name', 'description', 'retention', 'direct_marketing'])
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'active')
      .orderBy('name')
      .execute(),
    processors: await tx
      .selectFrom('subprocessors')
      .select(['name', 'country', 'safeguard', 'agreement_ref', 'agreement_expires_on'])
      .where('tenant_id', '=', tenantId)
      .where('active', '=', true)
      .orderBy('name')
      .execute(),
  };
}
type Active = Awaited<ReturnType<typeof loadActive>>;

function subprocessorFigures(rows: Active['processors']): Summary['subprocessors'] {
  return {
    count: rows.length,
    thirdCountryTransfers: rows
      .filter((row) => !EEA.has(row.country))
      .map((row) => ({ name: row.name, country: row.country, safeguard: row.safeguard })),
  };
}

/**
 * The activities that need an impact assessment (Art. 35; CNIL list): direct marketing on a large
 * scale, and any activity whose data leaves the EEA.
 */
function highRiskActivities(purposes: Active['purposes'], people: number, transfers: boolean): Array<{ id: string; name: string }> {
  return purposes
    .filter((purpose) => transfers || (purpose.direct_marketing && people >= LARGE_SCALE_PEOPLE))
    .map(({ id, name }) => ({ id, name }));
}

async function cnilSteps(
  tx: Tx,
  tenantId: string,
  active: Active,
  figures: Omit<Summary, 'cnil' | 'generatedAt'>,
  now: Date,
): Promise<Summary['cnil']> {
  const steps: Step[] = [];
  const dpos = await tx
    .selectFrom('members')
    .select(sql<string>`count(*)`.as('n'))
    .where('tenant_id', '=', tenantId)
    .where('is_dpo', '=', true)
    .where('status', '=', 'active')
    .executeTakeFirstOrThrow();
  steps.push({
    step: 'Appoint a data protection officer',
    status: count(dpos.n) > 0 ? 'done' : 'missing',
    detail: count(dpos.n) > 0 ? `${count(dpos.n)} member(s) named DPO` : 'No member is named DPO; compliance alerts go to administrators',
    evidence: [{ label: 'Members and the DPO flag', href: '/api/v1/members' }],
  });

  const { last, changes } = await registerChanges(tx, tenantId);
  const activePurposes = active.purposes;
  const undocumented = activePurposes
    .filter((purpose) => !purpose.description.trim() || !purpose.retention.trim())
    .map((purpose) => purpose.name);
  const registerFresh =
    last !== undefined && changes.length === 0 && new Date(last.created_at).getTime() > now.getTime() - REGISTER_FRESH_DAYS * 86_400_000;
  const registerComplete = activePurposes.length > 0 && undocumented.length === 0;
  steps.push({
    step: 'Map processing in the register (Art. 30)',
    status: registerComplete && registerFresh ? 'done' : activePurposes.length > 0 ? 'partial' : 'missing',
    detail: [
      activePurposes.length === 0
        ? 'no active purpose: the register lists no processing of contacts'
        : `${activePurposes.length} purpose(s) in the register`,
      undocumented.length > 0 ? `description or retention missing for: ${undocumented.join(', ')}` : null,
      last === undefined
        ? 'never saved as a version'
        : changes.length > 0
          ? `${changes.length} change(s) since version ${last.version}`
          : registerFresh
            ? `version ${last.version} is current`
            : `version ${last.version} is over a year old`,
    ]
      .filter(Boolean)
      .join('; '),
    evidence: [
      { label: 'Register (PDF)', href: '/api/v1/register?format=pdf' },
      { label: 'Register and its versions', href: '/#/register' },
    ],
  });

  const highRisk = highRiskActivities(active.purposes, figures.people, figures.subprocessors.thirdCountryTransfers.length > 0);
  const signed = await tx
    .selectFrom('dpias')
    .select(['activity_id'])
    .where('tenant_id', '=', tenantId)
    .where('signed_off_at', 'is not', null)
    .where(sql<boolean>`review_on >= ${now.toISOString().slice(0, 10)}::date`)
    .execute();
  const assessed = new Set(signed.map((row) => row.activity_id));
  const unassessed = highRisk.filter((activity) => !assessed.has(activity.id));
  steps.push({
    step: 'Manage risks: impact assessments (Art. 35)',
    status: unassessed.length === 0 ? 'done' : unassessed.length < highRisk.length ? 'partial' : 'missing',
    detail:
      highRisk.length === 0
        ? 'no high-risk activity (large-scale direct marketing, or transfers outside the EEA)'
        : unassessed.length === 0
          ? `all ${highRisk.length} high-risk activities have a signed, current DPIA`
          : `no signed, current DPIA for: ${unassessed.map((a) => a.name).join(', ')}`,
    evidence: [{ label: 'Impact assessments', href: '/#/dpias' }],
  });

  const overdueIncidents = figures.incidents.filter((incident) => incident.level === 'overdue').length;
  const procedureGaps = [
    figures.dsr.overdue > 0 ? `${figures.dsr.overdue} overdue request(s)` : null,
    overdueIncidents > 0 ? `${overdueIncidents} incident(s) past the 72-hour clock` : null,
    figures.retentionBacklog.length === 0 ? 'no retention rule enabled' : null,
    figures.backups.lastDrill && !figures.backups.lastDrill.ok
      ? `the last restore drill failed (${figures.backups.lastDrill.backupId})`
      : null,
  ].filter((gap): gap is string => gap !== null);
  steps.push({
    step: 'Organise internal procedures (requests, breaches, retention)',
    status: procedureGaps.length === 0 ? 'done' : procedureGaps.length < 3 ? 'partial' : 'missing',
    detail: procedureGaps.length === 0 ? 'requests answered on time, breach clocks kept, retention applied' : procedureGaps.join('; '),
    evidence: [
      { label: 'Requests', href: '/#/requests' },
      { label: 'Incidents', href: '/#/incidents' },
      { label: 'Retention', href: '/#/retention' },
    ],
  });

  const t = figures.training;
  steps.push({
    step: 'Train staff',
    status: t.assignments > 0 && t.completed === t.assignments ? 'done' : t.completed > 0 ? 'partial' : 'missing',
    detail:
      t.assignments === 0
        ? 'no training module assigned'
        : `${t.completed} of ${t.assignments} assignments completed, ${t.overdue} overdue`,
    evidence: [{ label: 'Training', href: '/#/training' }],
  });

  const processors = active.processors;
  const today = now.toISOString().slice(0, 10);
  const withoutAgreement = processors
    .filter((p) => !p.agreement_ref.trim() || (p.agreement_expires_on !== null && isoDay(p.agreement_expires_on) < today))
    .map((p) => p.name);
  const staleDpias = await tx
    .selectFrom('dpias')
    .select('title')
    .where('tenant_id', '=', tenantId)
    .where(sql<boolean>`review_on < ${today}::date`)
    .execute();
  const documentationGaps = [
    withoutAgreement.length > 0 ? `no current agreement (Art. 28) on file for: ${withoutAgreement.join(', ')}` : null,
    staleDpias.length > 0 ? `review overdue for DPIA: ${staleDpias.map((d) => d.title).join(', ')}` : null,
    figures.peopleWithoutValidBasis > 0
      ? `${figures.peopleWithoutValidBasis} of ${figures.people} people without a documented legal basis`
      : null,
  ].filter((gap): gap is string => gap !== null);
  steps.push({
    step: 'Document compliance',
    status: documentationGaps.length === 0 ? 'done' : documentationGaps.length < 3 ? 'partial' : 'missing',
    detail:
      documentationGaps.length === 0
        ? 'processor agreements, impact assessments and legal bases are on file and current'
        : documentationGaps.join('; '),
    evidence: [
      { label: 'Sub-processors', href: '/#/subprocessors' },
      { label: 'Purposes and legal bases', href: '/#/purposes' },
      { label: 'Audit trail', href: '/api/v1/audit-events' },
    ],
  });

  const score = Math.round(
    (steps.reduce((sum, step) => sum + (step.status === 'done' ? 1 : step.status === 'partial' ? 0.5 : 0), 0) / steps.length) * 100,
  );
  return { score, steps };
}

/** Backups hold every workspace: the drill is the installation's, shown to each workspace. */
async function lastDrill(tx: Tx): Promise<Summary['backups']['lastDrill']> {
  const row = await tx.selectFrom('backup_drills').selectAll().orderBy('ran_at', 'desc').limit(1).executeTakeFirst();
  return row
    ? {
        ranAt: new Date(row.ran_at).toISOString(),
        backupId: row.backup_id,
        backupTakenAt: new Date(row.backup_taken_at).toISOString(),
        ok: row.ok,
        error: row.error,
      }
    : null;
}

export function complianceSummaryOf(app: AppContext, caller: Caller, now = new Date()): Promise<Summary> {
  return asCaller(app, caller, async (tx) => {
    const tenantId = caller.auth.tenantId;
    const people = await peopleCount(tx, tenantId);
    const active = await loadActive(tx, tenantId);
    const figures = {
      people,
      consent: await consentRates(tx, tenantId, people, now),
      peopleWithoutValidBasis: await withoutValidBasis(tx, tenantId, now),
      dsr: await dsrFigures(tx, tenantId, now),
      retentionBacklog: await retentionBacklog(tx, tenantId, now),
      incidents: await openIncidents(tx, tenantId, now),
      training: await trainingFigures(tx, tenantId, now),
      art14Notices: await noticeCountsOf(tx, tenantId),
      connectedCrmRefusals: await connectedCrmRefusals(tx, tenantId),
      subprocessors: subprocessorFigures(active.processors),
      backups: { lastDrill: await lastDrill(tx) },
    };
    return { generatedAt: now.toISOString(), ...figures, cnil: await cnilSteps(tx, tenantId, active, figures, now) };
  });
}
