import { sql, type Selectable } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { recordAudit } from '../audit/service.ts';
import type { PersonRef } from '../crm/people.ts';
import { withTenant, type Tx } from '../db/tenant.ts';
import type { RetentionRulesTable } from '../db/types-retention.ts';
import { workspaceInventory } from '../inventory/inventory.ts';
import { removePersonalRows } from '../rights/erasure.ts';

export type RuleRow = Selectable<RetentionRulesTable>;

/** The rules every workspace starts with; they can be edited or disabled, not lost. */
export const DEFAULT_RULES: ReadonlyArray<Pick<RuleRow, 'builtin_key' | 'name' | 'target' | 'after_days' | 'action'>> = [
  { builtin_key: 'inactive-leads', name: 'Leads with no activity for 24 months', target: 'lead', after_days: 730, action: 'delete' },
  {
    builtin_key: 'inactive-contacts',
    name: 'Contacts with no activity for 36 months',
    target: 'contact',
    after_days: 1095,
    action: 'anonymise',
  },
  {
    builtin_key: 'old-emails',
    name: 'Copies of emails sent more than 24 months ago',
    target: 'email_message',
    after_days: 730,
    action: 'delete',
  },
  {
    builtin_key: 'used-portal-links',
    name: 'Privacy-portal sign-in links older than 90 days',
    target: 'portal_link',
    after_days: 90,
    action: 'delete',
  },
  {
    builtin_key: 'lost-deals',
    name: 'Closed-lost opportunities older than 3 years: remove who took part',
    target: 'opportunity',
    after_days: 1095,
    action: 'anonymise',
  },
  {
    builtin_key: 'closed-requests',
    name: 'Data subject requests closed more than 3 years ago: keep type, dates and outcome only',
    target: 'dsr_request',
    after_days: 1095,
    action: 'anonymise',
  },
  {
    builtin_key: 'consent-history-of-erased',
    name: 'Consent history of erased people: kept 5 years as proof, fact only',
    target: 'consent_history',
    after_days: 1826,
    action: 'delete',
  },
];

/** What each target can be made to undergo (the database checks the same). */
export const ACTIONS_BY_TARGET: Record<RuleRow['target'], ReadonlyArray<RuleRow['action']>> = {
  contact: ['delete', 'anonymise'],
  lead: ['delete', 'anonymise'],
  opportunity: ['anonymise'],
  consent_history: ['delete'],
  email_message: ['delete'],
  portal_link: ['delete'],
  dsr_request: ['anonymise'],
};

/** The database's own floor (migration 0015): consent history is kept at least a year. */
export const CONSENT_HISTORY_MIN_DAYS = 366;

export async function ensureDefaultRules(tx: Tx, tenantId: string): Promise<void> {
  await tx
    .insertInto('retention_rules')
    .values(DEFAULT_RULES.map((rule) => ({ tenant_id: tenantId, ...rule })))
    .onConflict((c) => c.columns(['tenant_id', 'builtin_key']).doNothing())
    .execute();
}

export interface Match {
  type: string;
  id: string;
  /** Why it goes: the moment the rule counts from (last activity, or creation). */
  since: string;
}

const PERSON_TABLE = { contact: 'contacts', lead: 'leads' } as const;
const isPersonRule = (rule: RuleRow): rule is RuleRow & { target: 'contact' | 'lead' } =>
  rule.target === 'contact' || rule.target === 'lead';

/**
 * What a rule takes at `now`: people with no activity since the cutoff (their record, notes,
 * tasks and consent events all older), not anonymised already and not under legal hold; or
 * emails and portal links created before it. The same query serves the dry run and the run, so
 * the preview is exactly what a run would apply.
 */
export async function matches(tx: Tx, tenantId: string, rule: RuleRow, now: Date, limit: number): Promise<Match[]> {
  const cutoff = new Date(now.getTime() - rule.after_days * 86_400_000);
  const found = (rows: Array<{ id: string; since: Date }>) =>
    rows.map((row) => ({ type: rule.target, id: row.id, since: new Date(row.since).toISOString() }));
  if (rule.target === 'email_message' || rule.target === 'portal_link') {
    const table = rule.target === 'email_message' ? 'email_messages' : 'portal_links';
    const { rows } = await sql<{ id: string; since: Date }>`
      select id, created_at as since from ${sql.table(table)}
      where tenant_id = ${tenantId} and created_at < ${cutoff}
      order by created_at, id limit ${limit}`.execute(tx);
    return found(rows);
  }
  if (rule.target === 'dsr_request') {
    const { rows } = await sql<{ id: string; since: Date }>`
      select id, completed_at as since from dsr_requests
      where tenant_id = ${tenantId} and status in ('completed', 'rejected') and deidentified_at is null and completed_at < ${cutoff}
      order by completed_at, id limit ${limit}`.execute(tx);
    return found(rows);
  }
  if (rule.target === 'opportunity') {
    const { rows } = await sql<{ id: string; since: Date }>`
      select id, coalesce(closed_at, updated_at) as since from opportunities
      where tenant_id = ${tenantId} and stage = 'closed_lost' and anonymised_at is null
        and coalesce(closed_at, updated_at) < ${cutoff}
      order by since, id limit ${limit}`.execute(tx);
    return found(rows);
  }
  if (rule.target === 'consent_history') {
    // Whose history it is: people no longer held as a contact or a lead (erased or deleted).
    const { rows } = await sql<{ id: string; since: Date }>`
      select person_id as id, max(occurred_at) as since from consent_events e
      where e.tenant_id = ${tenantId}
        and not exists (select 1 from contacts c where c.tenant_id = e.tenant_id and c.id = e.person_id)
        and not exists (select 1 from leads l where l.tenant_id = e.tenant_id and l.id = e.person_id)
      group by person_id
      having max(occurred_at) < ${cutoff}
      order by since, id limit ${limit}`.execute(tx);
    return found(rows);
  }
  const { rows } = await sql<{ id: string; since: Date }>`
    select * from (
      select p.id, ${lastActivity(rule.target)} as since
      from ${sql.table(PERSON_TABLE[rule.target])} p
      where p.tenant_id = ${tenantId} and ${mayBeDue(cutoff)}
    ) candidates
    where since < ${cutoff}
    order by since, id limit ${limit}`.execute(tx);
  return found(rows);
}

/** A person's last activity: their record's last change, or a later note, task or consent event. */
function lastActivity(target: 'contact' | 'lead') {
  return sql<Date>`greatest(
    p.updated_at,
    (select max(n.occurred_at) from notes n where n.tenant_id = p.tenant_id and n.record_type = ${target}::crm_record_type and n.record_id = p.id),
    (select max(t.updated_at) from tasks t where t.tenant_id = p.tenant_id and t.record_type = ${target}::crm_record_type and t.record_id = p.id),
    (select max(e.occurred_at) from consent_events e where e.tenant_id = p.tenant_id and e.person_id = p.id))`;
}

/** Not anonymised yet, not changed since the cutoff, not under legal hold (the last activity decides the rest). */
function mayBeDue(cutoff: Date) {
  return sql<boolean>`p.anonymised_at is null and p.updated_at < ${cutoff}
    and not exists (select 1 from legal_holds h where h.tenant_id = p.tenant_id and h.record_id = p.id and h.released_at is null)`;
}

/**
 * The next `size` people after `afterId` in id order, and which of them the rule removes now.
 * A sweep walks the workspace this way once per run: the primary key yields each window
 * whatever the planner's statistics say, where "oldest first, 200 at a time" (matches) had to
 * work out every candidate's last activity again for each batch.
 */
async function sweepWindow(
  tx: Tx,
  tenantId: string,
  rule: RuleRow & { target: 'contact' | 'lead' },
  now: Date,
  afterId: string | null,
  size: number,
) {
  const cutoff = new Date(now.getTime() - rule.after_days * 86_400_000);
  const { rows } = await sql<{ id: string; since: Date; due: boolean }>`
    select p.id, ${lastActivity(rule.target)} as since,
      ${mayBeDue(cutoff)} as due
    from (
      select * from ${sql.table(PERSON_TABLE[rule.target])}
      where tenant_id = ${tenantId} ${afterId ? sql`and id > ${afterId}` : sql``}
      order by id limit ${size}
    ) p
    order by p.id`.execute(tx);
  const due = rows.filter((row) => row.due && new Date(row.since) < cutoff);
  return {
    lastId: rows.at(-1)?.id ?? null,
    matched: due.map((row) => ({ type: rule.target, id: row.id, since: new Date(row.since).toISOString() })),
  };
}

/**
 * Anonymises people, driven by the inventory: their own personal columns are emptied (blind
 * indexes reset), everything about them is deleted, and their key is destroyed. The record keeps
 * its non-personal facts for statistics.
 */
async function anonymise(app: AppContext, tx: Tx, tenantId: string, people: PersonRef[]): Promise<void> {
  await removePersonalRows(tx, tenantId, { email: '', emailIndex: '', people }, { spareRequest: null, keepOwnRecords: true });
  const inventory = await workspaceInventory(tx, tenantId);
  for (const type of ['contact', 'lead'] as const) {
    const ids = people.filter((person) => person.type === type).map((person) => person.id);
    if (ids.length === 0) continue;
    const table = PERSON_TABLE[type];
    const columns = new Set<string>();
    for (const entry of inventory) {
      if (entry.table !== table || entry.link?.kind !== 'self') continue;
      columns.add(entry.column);
      if (entry.blindIndex) columns.add(entry.blindIndex);
    }
    const set = sql.join([...columns].map((column) => sql`${sql.ref(column)} = default`));
    const company = type === 'lead' ? sql`, company_name = coalesce(company_name, 'Anonymised lead')` : sql``;
    await sql`update ${sql.table(table)} set ${set}${company}, anonymised_at = now(), updated_at = now() where tenant_id = ${tenantId} and id = any(${ids}::uuid[])`.execute(
      tx,
    );
  }
  await app.keys.destroySubjectKeys(
    tx,
    tenantId,
    people.map((person) => person.id),
  );
}

/**
 * A lost deal keeps its figures (amount, stage, dates, account) for statistics; who took part
 * and everything written about it go: the contacts linked to it, and the rows the inventory ties
 * to a record (notes, tasks, emails) that are about the deal.
 */
async function anonymiseDeals(tx: Tx, tenantId: string, ids: string[]): Promise<void> {
  await tx.deleteFrom('opportunity_contacts').where('tenant_id', '=', tenantId).where('opportunity_id', 'in', ids).execute();
  const aboutRecords = new Map<string, { typeColumn: string; idColumn: string }>();
  for (const entry of await workspaceInventory(tx, tenantId)) {
    if (entry.link?.kind === 'record') aboutRecords.set(entry.table, entry.link);
  }
  for (const [table, link] of aboutRecords) {
    await sql`delete from ${sql.table(table)} where tenant_id = ${tenantId} and ${sql.ref(link.typeColumn)} = 'opportunity' and ${sql.ref(link.idColumn)} = any(${ids}::uuid[])`.execute(
      tx,
    );
  }
  await tx
    .updateTable('opportunities')
    .set({ anonymised_at: new Date(), updated_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .execute();
}

/** A closed request past its evidence period keeps its type, dates and outcome, nothing about the person. */
async function deidentifyRequests(app: AppContext, tx: Tx, tenantId: string, ids: string[]): Promise<void> {
  await app.keys.destroySubjectKeys(tx, tenantId, ids);
  await tx.deleteFrom('email_messages').where('tenant_id', '=', tenantId).where('person_id', 'in', ids).execute();
  await tx
    .updateTable('dsr_requests')
    .set({ requester_email_index: 'de-identified', identity_method: null, deidentified_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .execute();
}

async function apply(app: AppContext, tx: Tx, tenantId: string, rule: RuleRow, batch: Match[], now: Date): Promise<void> {
  if (rule.target === 'email_message' || rule.target === 'portal_link') {
    const table = rule.target === 'email_message' ? 'email_messages' : 'portal_links';
    await sql`delete from ${sql.table(table)} where tenant_id = ${tenantId} and id = any(${batch.map((m) => m.id)}::uuid[])`.execute(tx);
    return;
  }
  const ids = batch.map((match) => match.id);
  if (rule.target === 'opportunity') return anonymiseDeals(tx, tenantId, ids);
  if (rule.target === 'dsr_request') return deidentifyRequests(app, tx, tenantId, ids);
  if (rule.target === 'consent_history') {
    const cutoff = new Date(now.getTime() - rule.after_days * 86_400_000);
    await sql`select purge_consent_history(${tenantId}::uuid, ${ids}::uuid[], ${cutoff}::timestamptz)`.execute(tx);
    return;
  }
  const people = batch.map((match) => ({ type: rule.target as PersonRef['type'], id: match.id }));
  if (rule.action === 'anonymise') return anonymise(app, tx, tenantId, people);
  await removePersonalRows(tx, tenantId, { email: '', emailIndex: '', people }, { spareRequest: null, keepOwnRecords: false });
  await app.keys.destroySubjectKeys(tx, tenantId, ids);
}

export interface RunOptions {
  now?: Date;
  batchSize?: number;
  /** Called after each committed batch (progress; tests stop a run here to simulate a crash). */
  afterBatch?: (applied: number) => void | Promise<void>;
}

/**
 * Applies one rule in batches, each in its own transaction with its audit event and progress, so
 * a run stopped anywhere continues where it was: what was applied no longer matches.
 */
export async function runRule(app: AppContext, tenantId: string, ruleId: string, options: RunOptions = {}): Promise<number> {
  const now = options.now ?? new Date();
  const batchSize = options.batchSize ?? 200;
  const runId = await withTenant(app.db, tenantId, async (tx) => {
    const previous = await closeInterrupted(tx, tenantId, ruleId, new Date(Date.now() - 2 * app.config.jobLeaseSeconds * 1000));
    const run = await tx
      .insertInto('retention_runs')
      .values({
        tenant_id: tenantId,
        rule_id: ruleId,
        resumes: previous?.id ?? null,
        applied_before: previous ? previous.applied_before + previous.applied : 0,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return run.id;
  });
  try {
    return await applyInBatches(app, tenantId, ruleId, runId, now, batchSize, options);
  } catch (error) {
    // A failure (not a crash): the run is closed now, and the retry continues it.
    await withTenant(app.db, tenantId, (tx) =>
      tx
        .updateTable('retention_runs')
        .set({ interrupted_at: sql`now()` })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', runId)
        .execute(),
    ).catch(() => undefined);
    throw error;
  }
}

async function applyInBatches(
  app: AppContext,
  tenantId: string,
  ruleId: string,
  runId: string,
  now: Date,
  batchSize: number,
  options: RunOptions,
): Promise<number> {
  let total = 0;
  // People are swept in windows in id order (sweepWindow); a run that starts over begins at the first id.
  let afterId: string | null = null;
  for (;;) {
    const applied = await withTenant(app.db, tenantId, async (tx) => {
      const rule = await tx
        .selectFrom('retention_rules')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', ruleId)
        .executeTakeFirstOrThrow();
      if (!rule.enabled) return null;
      let batch: Match[];
      if (isPersonRule(rule)) {
        const window = await sweepWindow(tx, tenantId, rule, now, afterId, batchSize);
        if (window.lastId === null) return null;
        afterId = window.lastId;
        batch = window.matched;
        if (batch.length === 0) return 0;
      } else {
        batch = await matches(tx, tenantId, rule, now, batchSize);
        if (batch.length === 0) return null;
      }
      await apply(app, tx, tenantId, rule, batch, now);
      await tx
        .updateTable('retention_runs')
        .set({ applied: sql`applied + ${batch.length}`, heartbeat_at: sql`now()` })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', runId)
        .execute();
      await recordAudit(
        tx,
        tenantId,
        { actorType: 'system', actorId: 'job:retention.sweep' },
        {
          action: `retention.${rule.action}`,
          objectType: 'retention_rule',
          objectId: rule.id,
          fields: [`${rule.target}:${batch.length}`],
        },
      );
      return batch.length;
    });
    if (applied === null) break;
    if (applied === 0) continue;
    total += applied;
    await options.afterBatch?.(total);
  }
  await withTenant(app.db, tenantId, (tx) =>
    tx.updateTable('retention_runs').set({ finished_at: new Date() }).where('tenant_id', '=', tenantId).where('id', '=', runId).execute(),
  );
  return total;
}

/**
 * Closes the rule's runs that stopped beating before staleBefore (their process died) as
 * interrupted, at their last beat, and returns the newest interrupted run that no run has
 * continued yet: the next run continues it. A run still beating belongs to a live node.
 */
async function closeInterrupted(tx: Tx, tenantId: string, ruleId: string, staleBefore: Date) {
  await tx
    .updateTable('retention_runs')
    .set({ interrupted_at: sql`coalesce(heartbeat_at, started_at)` })
    .where('tenant_id', '=', tenantId)
    .where('rule_id', '=', ruleId)
    .where('finished_at', 'is', null)
    .where('interrupted_at', 'is', null)
    .where(sql<boolean>`coalesce(heartbeat_at, started_at) < ${staleBefore}`)
    .execute();
  return tx
    .selectFrom('retention_runs as run')
    .select(['run.id', 'run.applied', 'run.applied_before'])
    .where('run.tenant_id', '=', tenantId)
    .where('run.rule_id', '=', ruleId)
    .where('run.interrupted_at', 'is not', null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('retention_runs as next')
            .select('next.id')
            .where('next.tenant_id', '=', tenantId)
            .whereRef('next.resumes', '=', 'run.id'),
        ),
      ),
    )
    .orderBy('run.started_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Scheduled: every enabled rule of every workspace. */
export async function sweepAll(app: AppContext, options: RunOptions = {}): Promise<number> {
  const tenants = await app.db.kysely.selectFrom('tenants').select('id').execute();
  let total = 0;
  for (const { id: tenantId } of tenants) {
    const rules = await withTenant(app.db, tenantId, async (tx) => {
      await ensureDefaultRules(tx, tenantId);
      return tx
        .selectFrom('retention_rules')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('enabled', '=', true)
        .orderBy('created_at')
        .execute();
    });
    for (const rule of rules) total += await runRule(app, tenantId, rule.id, options);
  }
  return total;
}
