import { sql } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { recordAudit, recordRead } from '../audit/service.ts';
import { type CrmWork } from '../crm/context.ts';
import { Sealer } from '../crypto/sealer.ts';
import { unnestUpdate } from '../db/bulk.ts';
import { StatisticsRefresher } from '../db/statistics.ts';
import type { DB } from '../db/types.ts';
import { withTenant, type Tx } from '../db/tenant.ts';
import type { HeldDeletion, ObjectCounts, SyncCheckpoint, SyncFailure, SyncPhase, SyncRecordType } from '../db/types-sync.ts';
import type { Job, Lease } from '../jobs/queue.ts';
import { enqueue } from '../jobs/queue.ts';
import type { Connector, ExternalRecord, ObjectMapping } from './connector.ts';
import { listsWhole, mappingOf } from './connector.ts';
import { checkFields } from './fields.ts';
import { ConnectorError } from './http.ts';
import { enqueueErasureJob } from './erasure.ts';
import { owesAnActiveIntegration } from './refusals.ts';
import { enqueueRightsJob } from './rights.ts';
import { connectorOf } from './connectors.ts';
import { RECORD_STORES, removeSyncedRecords, type Incoming, type IntegrationRow, type LinkRow, type SyncScope } from './stores.ts';

/**
 * The sync engine. A run walks the connection's objects in order; for each it pages through
 * everything (initial run) or what changed since the last run and what was deleted (incremental
 * run). Each page is stored in one transaction together with the run's checkpoint and counts, so
 * a run that dies anywhere resumes at the page after the last one stored, and storing a page
 * twice changes nothing: records are found by their link, and unchanged content is not written.
 */

export const SYNC_QUEUE = 'sync.run';
/** What a run writes to, for the planner's statistics: an initial run fills them fast (StatisticsRefresher). */
const TABLES_FILLED: Array<keyof DB> = [
  'sync_links',
  'accounts',
  'contacts',
  'leads',
  'opportunities',
  'tasks',
  'person_terms',
  'subject_keys',
];
/** Changes are fetched from this long before the previous run started: other clocks may be behind ours. */
export const CLOCK_SKEW_MS = 5 * 60_000;
const MAX_FAILURES = 100;
const SYSTEM = (integrationId: string) => ({ actorType: 'system' as const, actorId: `sync:${integrationId}` });

export const emptyCounts = (): ObjectCounts => ({ fetched: 0, created: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0 });

function addCounts(into: ObjectCounts, more: Partial<ObjectCounts>): ObjectCounts {
  for (const key of Object.keys(more) as Array<keyof ObjectCounts>) into[key] += more[key] ?? 0;
  return into;
}

/** CRM work on behalf of the connection: records belong to the member who connected it. */
export function syncWork(app: AppContext, tx: Tx, integration: IntegrationRow): CrmWork {
  const tenantId = integration.tenant_id;
  const origin = SYSTEM(integration.id);
  return {
    app,
    tx,
    tenantId,
    memberId: integration.connected_by,
    scope: { kind: 'all' },
    sealer: new Sealer(app, tx, tenantId),
    caller: {
      auth: {
        kind: 'cli',
        tenantId,
        userId: '',
        memberId: integration.connected_by,
        role: 'administrator',
        isDpo: false,
        sessionId: null,
        tokenId: null,
        scopes: null,
        mfaPending: false,
      },
      origin,
    },
    audit: async (entry) => {
      await recordAudit(tx, tenantId, origin, entry);
    },
    auditRead: (entry) => recordRead(tx, tenantId, origin, entry),
  };
}

interface PageResult {
  counts: Partial<ObjectCounts>;
  failures: SyncFailure[];
}

/** Stores one page of external objects: links found are updated when their content changed, the rest created or matched. */
export async function applyRecords(
  scope: SyncScope,
  mapping: ObjectMapping,
  records: ExternalRecord[],
  snapshot = false,
): Promise<PageResult> {
  const { work } = scope;
  const type = mapping.recordType;
  const failures: SyncFailure[] = [];
  const latest = new Map(records.map((record) => [record.id, record]));
  const valid: Array<Incoming<SyncRecordType>> = [];
  for (const record of latest.values()) {
    const checked = checkFields(type, record.fields);
    if (!checked.ok) {
      failures.push({ object: mapping.object, externalId: record.id, reason: checked.reason });
      continue;
    }
    if (checked.dropped.length > 0)
      failures.push({
        object: mapping.object,
        externalId: record.id,
        reason: `stored without ${checked.dropped.join('; ')}`,
        stored: true,
      });
    valid.push({
      externalId: record.id,
      updatedAt: record.updatedAt,
      fields: checked.value,
      hash: await work.sealer.index('sync-content', JSON.stringify(checked.value)),
    });
  }
  const links = valid.length
    ? await work.tx
        .selectFrom('sync_links')
        .selectAll()
        .where('tenant_id', '=', work.tenantId)
        .where('integration_id', '=', scope.integration.id)
        .where('object', '=', mapping.object)
        .where(
          'external_id',
          'in',
          valid.map((item) => item.externalId),
        )
        .execute()
    : [];
  const linkOf = new Map<string, LinkRow>(links.map((link) => [link.external_id, link]));
  const fresh = await withoutErased(
    scope,
    mapping,
    valid.filter((item) => !linkOf.has(item.externalId)),
    failures,
  );
  const changed = valid.filter((item) => linkOf.has(item.externalId) && linkOf.get(item.externalId)!.content_hash !== item.hash);
  const store = RECORD_STORES[type] as (typeof RECORD_STORES)[SyncRecordType];

  const placed = await store.create(scope, fresh as never);
  if (placed.length > 0) {
    const byId = new Map(fresh.map((item) => [item.externalId, item]));
    await work.tx
      .insertInto('sync_links')
      .values(
        placed.map((p) => ({
          tenant_id: work.tenantId,
          integration_id: scope.integration.id,
          object: mapping.object,
          external_id: p.externalId,
          record_type: type,
          record_id: p.recordId,
          origin: p.origin,
          match_rule: p.rule,
          filled_fields: p.filled,
          content_hash: byId.get(p.externalId)!.hash,
          external_updated_at: byId.get(p.externalId)!.updatedAt,
        })),
      )
      .execute();
    const reviews = placed.filter((p) => p.review);
    if (reviews.length > 0) {
      await work.tx
        .insertInto('sync_match_reviews')
        .values(
          reviews.map((p) => ({
            tenant_id: work.tenantId,
            integration_id: scope.integration.id,
            object: mapping.object,
            external_id: p.externalId,
            record_type: type as 'account' | 'contact',
            record_id: p.recordId,
            candidate_ids: p.review!.candidates,
            rule: p.review!.rule,
            explanation: p.review!.explanation,
          })),
        )
        .onConflict((c) => c.columns(['tenant_id', 'integration_id', 'object', 'external_id']).where('resolved_at', 'is', null).doNothing())
        .execute();
    }
  }
  if (changed.length > 0) {
    await store.update(scope, changed.map((item) => ({ item, link: linkOf.get(item.externalId)! })) as never);
    await unnestUpdate<(typeof changed)[number]>(
      'sync_links',
      {
        where: { tenant_id: work.tenantId, integration_id: scope.integration.id, object: mapping.object },
        key: { name: 'external_id', type: 'text', of: (item) => item.externalId },
        columns: [
          { name: 'content_hash', type: 'text', of: (item) => item.hash },
          { name: 'external_updated_at', type: 'timestamptz', of: (item) => item.updatedAt },
        ],
        also: { synced_at: sql`now()` },
      },
      changed,
    ).execute(work.tx);
  }
  // A snapshot lists everything: a link it saw is still alive there, whether or not it changed.
  const unchangedIds = valid.filter((item) => linkOf.get(item.externalId)?.content_hash === item.hash).map((item) => item.externalId);
  if (snapshot && unchangedIds.length > 0) {
    await work.tx
      .updateTable('sync_links')
      .set({ synced_at: sql`now()` })
      .where('tenant_id', '=', work.tenantId)
      .where('integration_id', '=', scope.integration.id)
      .where('object', '=', mapping.object)
      .where('external_id', 'in', unchangedIds)
      .execute();
  }
  return {
    counts: {
      fetched: records.length,
      created: placed.filter((p) => p.origin === 'created').length,
      // A match links an existing record: to its owner that is an update, not a new record.
      updated: changed.length + placed.filter((p) => p.origin === 'matched').length,
      unchanged: valid.length - fresh.length - changed.length,
      failed: failures.filter((failure) => !failure.stored).length,
    },
    failures,
  };
}

/**
 * A person erased here is not copied back in from another CRM (their deletion there may still be
 * on its way): new external people whose address has an erasure tombstone fail, with the reason.
 */
async function withoutErased(scope: SyncScope, mapping: ObjectMapping, items: Array<Incoming<SyncRecordType>>, failures: SyncFailure[]) {
  if (mapping.recordType !== 'contact' && mapping.recordType !== 'lead') return items;
  const { work } = scope;
  const addresses = (item: Incoming<SyncRecordType>) => {
    const fields = item.fields as { emails?: string[]; email?: string | null };
    return fields.emails ?? (fields.email ? [fields.email] : []);
  };
  const indexes = await Promise.all(items.map((item) => work.sealer.indexAll('email', addresses(item))));
  const all = [...new Set(indexes.flat())];
  if (all.length === 0) return items;
  const erased = new Set(
    (
      await work.tx
        .selectFrom('erasure_tombstones')
        .select('email_index')
        .where('tenant_id', '=', work.tenantId)
        .where('email_index', 'in', all)
        .execute()
    ).map((row) => row.email_index),
  );
  if (erased.size === 0) return items;
  return items.filter((item, i) => {
    if (!indexes[i]!.some((index) => erased.has(index))) return true;
    failures.push({ object: mapping.object, externalId: item.externalId, reason: 'the person was erased in Lawful CRM; not copied again' });
    return false;
  });
}

/**
 * Mirrors deletions made there: a record only this connection brought in is deleted (its data
 * key destroyed); a record that exists for other reasons loses only the link.
 */
export async function applyDeletions(scope: SyncScope, mapping: ObjectMapping, externalIds: string[]): Promise<PageResult> {
  const { work } = scope;
  if (externalIds.length === 0) return { counts: {}, failures: [] };
  const links = await work.tx
    .deleteFrom('sync_links')
    .where('tenant_id', '=', work.tenantId)
    .where('integration_id', '=', scope.integration.id)
    .where('object', '=', mapping.object)
    .where('external_id', 'in', externalIds)
    .returningAll()
    .execute();
  await removeOrphans(
    work,
    links.filter((link) => link.origin === 'created'),
  );
  return { counts: { deleted: links.length }, failures: [] };
}

/** Deletes the records of these (already removed) links that no other link still points at. */
async function removeOrphans(work: CrmWork, links: LinkRow[]): Promise<void> {
  const byType = new Map<SyncRecordType, Set<string>>();
  for (const link of links)
    (byType.get(link.record_type) ?? byType.set(link.record_type, new Set()).get(link.record_type)!).add(link.record_id);
  for (const [type, ids] of byType) {
    const stillLinked = await work.tx
      .selectFrom('sync_links')
      .select('record_id')
      .where('tenant_id', '=', work.tenantId)
      .where('record_type', '=', type)
      .where('record_id', 'in', [...ids])
      .execute();
    for (const row of stillLinked) ids.delete(row.record_id);
    await removeSyncedRecords(work, type, [...ids]);
  }
}

/** Queues a run for the connection unless one is queued or running; returns its id, or null when one already was. */
export async function requestRun(
  tx: Tx,
  integration: IntegrationRow,
  requestedBy: string | null,
  options: { allowMassDeletion?: boolean; fullResync?: boolean } = {},
): Promise<string | null> {
  // A full resync lists everything again, as the first run did, and deletes what it no longer finds.
  const fullResync = Boolean(options.fullResync && integration.synced_until);
  const mode = integration.synced_until && !fullResync ? 'incremental' : 'initial';
  const since = mode === 'incremental' ? new Date(new Date(integration.synced_until!).getTime() - CLOCK_SKEW_MS) : null;
  const run = await tx
    .insertInto('sync_runs')
    .values({
      tenant_id: integration.tenant_id,
      integration_id: integration.id,
      mode,
      changes_since: since,
      requested_by: requestedBy,
      checkpoint: '{}',
      stats: '{}',
      failures: '[]',
      held_deletions: '[]',
      allow_mass_deletion: options.allowMassDeletion ?? false,
      full_resync: fullResync,
    })
    .onConflict((c) => c.columns(['tenant_id', 'integration_id']).where('state', 'in', ['queued', 'running']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!run) return null;
  await enqueue(tx, {
    queue: SYNC_QUEUE,
    tenantId: integration.tenant_id,
    payload: { runId: run.id },
    singletonKey: `sync:${run.id}`,
    maxAttempts: 8,
  });
  return run.id;
}

/** Scheduled: every active connection whose next sync is due gets a run. */
export async function queueDueSyncs(app: AppContext, now = new Date()): Promise<number> {
  const tenants = await app.db.kysely.selectFrom('tenants').select('id').execute();
  let queued = 0;
  for (const { id: tenantId } of tenants) {
    queued += await withTenant(app.db, tenantId, async (tx) => {
      const due = await tx
        .selectFrom('integrations')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('status', '=', 'active')
        .where('next_sync_at', '<=', now)
        .execute();
      let count = 0;
      for (const integration of due) if (await requestRun(tx, integration, null)) count += 1;
      // Rights owed to a CRM that was unreachable or waiting for a reconnect are tried again.
      if (await owesAnActiveIntegration(tx, tenantId, 'sync_erasures')) await enqueueErasureJob(tx, tenantId);
      if (await owesAnActiveIntegration(tx, tenantId, 'sync_rights_owed')) await enqueueRightsJob(tx, tenantId);
      return count;
    });
  }
  return queued;
}

/**
 * For an object listed whole (a snapshot): links of it that the run's complete listing did not touch,
 * a page at a time (each page deleted before the next is read, so the next starts afresh).
 */
async function unseenSince(app: AppContext, integration: IntegrationRow, object: string, startedAt: Date) {
  const rows = await withTenant(app.db, integration.tenant_id, (tx) =>
    tx
      .selectFrom('sync_links')
      .select('external_id')
      .where('tenant_id', '=', integration.tenant_id)
      .where('integration_id', '=', integration.id)
      .where('object', '=', object)
      .where('synced_at', '<', startedAt)
      .limit(500)
      .execute(),
  );
  return { ids: rows.map((row) => row.external_id), next: rows.length === 500 ? 'more' : null };
}

/**
 * For an object listed whole, whether this run must not apply the deletions of an object: its
 * export is missing or unreadable, or it no longer lists more than LAWFUL_SYNC_MAX_SHRINK of the
 * records linked to it. An export cut short must not read as "everything else was deleted".
 */
async function deletionsToHold(
  app: AppContext,
  integration: IntegrationRow,
  connector: Connector,
  object: string,
  startedAt: Date,
): Promise<HeldDeletion | null> {
  const counts = await withTenant(app.db, integration.tenant_id, (tx) =>
    tx
      .selectFrom('sync_links')
      .select([sql<number>`count(*)::int`.as('linked'), sql<number>`(count(*) filter (where synced_at < ${startedAt}))::int`.as('unseen')])
      .where('tenant_id', '=', integration.tenant_id)
      .where('integration_id', '=', integration.id)
      .where('object', '=', object)
      .executeTakeFirstOrThrow(),
  );
  if (counts.unseen === 0) return null;
  const problem = (await connector.snapshotProblem?.(object)) ?? null;
  if (problem) return { object, ...counts, reason: `${problem}: none of its ${counts.unseen} records was deleted here` };
  const limit = app.config.syncMaxShrink;
  if (counts.unseen / counts.linked <= limit) return null;
  return {
    object,
    ...counts,
    reason: `${connector.snapshot ? 'the export' : 'the complete listing'} lists ${counts.linked - counts.unseen} of the ${counts.linked} records linked: more than ${Math.round(limit * 100)} % gone at once, so nothing was deleted. If that is right, sync again allowing mass deletion.`,
  };
}

/** Which phases a run goes through for each object. */
const PHASES = { initial: ['changes'], incremental: ['changes', 'deletions'] } as const;
/** A reconciling run: a full resync deletes what its complete listing missed; an incremental one lists the ids first. */
const RECONCILING_PHASES = { initial: ['changes', 'deletions'], incremental: ['changes', 'reconcile', 'deletions'] } as const;

/**
 * Whether the run checks every link against a complete listing instead of the vendor's deletion
 * log: asked for (a full resync), the log may not reach back to the last sync (the connection was
 * idle longer than the vendor keeps it), or the last reconciliation is older than
 * LAWFUL_SYNC_RECONCILE_DAYS (a log purged early hides deletions however often one syncs).
 */
function mustReconcile(
  app: AppContext,
  run: { mode: string; full_resync: boolean; changes_since: Date | string | null },
  integration: IntegrationRow,
  connector: Connector,
): boolean {
  if (run.full_resync) return true;
  if (run.mode !== 'incremental' || connector.snapshot) return false;
  const now = Date.now();
  const windowDays = connector.deletionWindowDays;
  if (windowDays !== undefined && run.changes_since && new Date(run.changes_since).getTime() < now - windowDays * 86_400_000) return true;
  return !integration.reconciled_at || new Date(integration.reconciled_at).getTime() < now - app.config.syncReconcileDays * 86_400_000;
}

/** A page of every live id of the object: the connector's cheap id listing, or its full one. */
async function idsOf(connector: Connector, object: string, cursor: string | null): Promise<{ ids: string[]; next: string | null }> {
  if (connector.listIds) return connector.listIds(object, cursor);
  const page = await connector.listAll(object, cursor);
  return { ids: page.records.map((record) => record.id), next: page.next };
}

/** The links a reconciliation's listing saw: still alive there. */
async function markSeen(tx: Tx, integration: IntegrationRow, object: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await tx
    .updateTable('sync_links')
    .set({ synced_at: sql`now()` })
    .where('tenant_id', '=', integration.tenant_id)
    .where('integration_id', '=', integration.id)
    .where('object', '=', object)
    .where('external_id', 'in', ids)
    .execute();
}

/** Runs (or resumes) one sync run: the handler of the sync.run queue. */
export async function runSync(app: AppContext, job: Job, lease: Lease): Promise<void> {
  const tenantId = job.tenant_id!;
  const runId = String(job.payload.runId);
  const started = await withTenant(app.db, tenantId, async (tx) => {
    const run = await tx
      .selectFrom('sync_runs')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', runId)
      .forUpdate()
      .executeTakeFirst();
    if (!run || run.state === 'succeeded' || run.state === 'failed') return null;
    const integration = await tx
      .selectFrom('integrations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', run.integration_id)
      .executeTakeFirstOrThrow();
    if (integration.status !== 'active') {
      await finishRun(tx, runId, 'failed', `The integration is ${integration.status.replace('_', ' ')}.`);
      return null;
    }
    const connector = await connectorOf(app, tx, integration);
    const updated = await tx
      .updateTable('sync_runs')
      .set({
        state: 'running',
        started_at: sql`coalesce(started_at, now())`,
        reconcile: run.reconcile ?? mustReconcile(app, run, integration, connector),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', runId)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { run: updated, integration, connector };
  });
  if (!started) return;
  const { run, integration, connector } = started;
  try {
    await walk(app, run, integration, connector, lease);
  } catch (error) {
    const auth = error instanceof ConnectorError && error.category === 'auth';
    const lastAttempt = job.attempts >= job.max_attempts;
    if (!auth && !lastAttempt) throw error;
    const message = error instanceof Error ? error.message : String(error);
    await withTenant(app.db, tenantId, async (tx) => {
      await finishRun(tx, runId, 'failed', message);
      // A failed run is tried again at the next interval; a refused credential waits for a reconnect.
      await tx
        .updateTable('integrations')
        .set({ next_sync_at: sql`now() + make_interval(secs => sync_every_seconds)` })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', integration.id)
        .execute();
      if (auth) {
        await tx
          .updateTable('integrations')
          .set({ status: 'needs_reconnect', status_reason: message.slice(0, 500) })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', integration.id)
          .where('status', '=', 'active')
          .execute();
      }
      await recordAudit(tx, tenantId, SYSTEM(integration.id), {
        action: 'sync.fail',
        objectType: 'integration',
        objectId: integration.id,
        fields: [auth ? 'auth' : 'error'],
      });
    });
  }
}

async function finishRun(tx: Tx, runId: string, state: 'succeeded' | 'failed', error: string | null): Promise<void> {
  await tx
    .updateTable('sync_runs')
    .set({ state, error: error?.slice(0, 2000) ?? null, finished_at: new Date() })
    .where('id', '=', runId)
    .execute();
}

type RunRow = Awaited<ReturnType<typeof loadRun>>;
function loadRun(tx: Tx, tenantId: string, runId: string) {
  return tx.selectFrom('sync_runs').selectAll().where('tenant_id', '=', tenantId).where('id', '=', runId).executeTakeFirstOrThrow();
}

async function walk(app: AppContext, run: RunRow, integration: IntegrationRow, connector: Connector, lease: Lease): Promise<void> {
  const tenantId = integration.tenant_id;
  const objects = connector.mappings.filter((m) => integration.objects.includes(m.object));
  const stats: Record<string, ObjectCounts> = { ...run.stats };
  const failures: SyncFailure[] = [...run.failures];
  let failuresTotal = run.failures_total;
  const since = run.changes_since ? new Date(run.changes_since) : new Date(0);
  const requestsBefore = run.requests;
  const rateLimitedBefore = run.rate_limited;
  const scope: Omit<SyncScope, 'work'> & { accounts?: SyncScope['accounts'] } = { integration };
  const resume: SyncCheckpoint = run.checkpoint;
  const statistics = new StatisticsRefresher(app.db, TABLES_FILLED);
  for (let index = resume.objectIndex ?? 0; index < objects.length; index++) {
    const mapping = mappingOf(connector, objects[index]!.object);
    const phases: readonly SyncPhase[] = run.reconcile ? RECONCILING_PHASES[run.mode] : PHASES[run.mode];
    const firstPhase = index === resume.objectIndex && resume.phase ? phases.indexOf(resume.phase as never) : 0;
    for (let p = Math.max(firstPhase, 0); p < phases.length; p++) {
      const phase = phases[p]!;
      let cursor = index === resume.objectIndex && phase === resume.phase ? (resume.cursor ?? null) : null;
      const whole = Boolean(run.reconcile) || listsWhole(connector, mapping.object);
      if (phase === 'deletions' && whole && cursor === null && !run.allow_mass_deletion) {
        const held = await deletionsToHold(app, integration, connector, mapping.object, run.started_at!);
        if (held) {
          const next: SyncCheckpoint =
            p + 1 < phases.length
              ? { objectIndex: index, phase: phases[p + 1]!, cursor: null }
              : { objectIndex: index + 1, phase: phases[0], cursor: null };
          await withTenant(app.db, tenantId, async (tx) => {
            await tx
              .updateTable('sync_runs')
              .set({ held_deletions: sql`held_deletions || ${JSON.stringify([held])}::jsonb`, checkpoint: JSON.stringify(next) })
              .where('tenant_id', '=', tenantId)
              .where('id', '=', run.id)
              .execute();
            await recordAudit(tx, tenantId, SYSTEM(integration.id), {
              action: 'sync.deletions_held',
              objectType: 'integration',
              objectId: integration.id,
              fields: [`${held.object}:unseen=${held.unseen},linked=${held.linked}`],
            });
          });
          continue;
        }
      }
      for (;;) {
        const page =
          phase === 'reconcile'
            ? await idsOf(connector, mapping.object, cursor)
            : phase === 'deletions'
              ? whole
                ? await unseenSince(app, integration, mapping.object, run.started_at!)
                : await connector.listDeleted(mapping.object, since, cursor)
              : run.mode === 'initial'
                ? await connector.listAll(mapping.object, cursor)
                : await connector.listChanged(mapping.object, since, cursor);
        const done = page.next === null;
        // Where the next attempt starts: the next page, or the next phase or object when this was the last.
        const checkpoint: SyncCheckpoint = !done
          ? { objectIndex: index, phase, cursor: page.next }
          : p + 1 < phases.length
            ? { objectIndex: index, phase: phases[p + 1]!, cursor: null }
            : { objectIndex: index + 1, phase: phases[0], cursor: null };
        await withTenant(app.db, tenantId, async (tx) => {
          // Serialises with a disconnect: once it commits, no page of this run is stored any more.
          const current = await tx
            .selectFrom('integrations')
            .select('status')
            .where('tenant_id', '=', tenantId)
            .where('id', '=', integration.id)
            .forShare()
            .executeTakeFirstOrThrow();
          if (current.status !== 'active') throw new Error(`The integration is ${current.status.replace('_', ' ')}.`);
          const pageScope: SyncScope = { ...scope, work: syncWork(app, tx, integration) };
          const result =
            phase === 'reconcile' && 'ids' in page
              ? await markSeen(tx, integration, mapping.object, page.ids).then(() => ({ counts: {}, failures: [] }))
              : 'ids' in page
                ? await applyDeletions(pageScope, mapping, page.ids)
                : await applyRecords(pageScope, mapping, page.records, whole);
          const alongside =
            'deletedIds' in page && page.deletedIds?.length ? await applyDeletions(pageScope, mapping, page.deletedIds) : null;
          scope.accounts = pageScope.accounts;
          stats[mapping.object] = addCounts(stats[mapping.object] ?? emptyCounts(), result.counts);
          if (alongside) addCounts(stats[mapping.object]!, alongside.counts);
          failures.push(...result.failures.slice(0, Math.max(0, MAX_FAILURES - failures.length)));
          failuresTotal += result.failures.length;
          await tx
            .updateTable('sync_runs')
            .set({
              checkpoint: JSON.stringify(checkpoint),
              stats: JSON.stringify(stats),
              failures: JSON.stringify(failures),
              failures_total: failuresTotal,
              requests: requestsBefore + connector.stats.requests,
              rate_limited: rateLimitedBefore + connector.stats.rateLimited,
            })
            .where('tenant_id', '=', tenantId)
            .where('id', '=', run.id)
            .execute();
        });
        await lease.renew();
        await statistics.grew('records' in page ? page.records.length : 0);
        if (done) break;
        cursor = page.next;
      }
    }
  }
  await statistics.finish();
  await withTenant(app.db, tenantId, async (tx) => {
    const finished = await loadRun(tx, tenantId, run.id);
    await finishRun(tx, run.id, 'succeeded', null);
    await tx
      .updateTable('integrations')
      .set({
        synced_until: finished.started_at,
        next_sync_at: sql`now() + make_interval(secs => sync_every_seconds)`,
        // A first run's complete listing, or a reconciliation, confirmed every link as of its start.
        ...(finished.mode === 'initial' || finished.reconcile ? { reconciled_at: finished.started_at } : {}),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', integration.id)
      .execute();
    // Every run is a transfer from the other CRM: recorded with its counts per object (never values).
    const fields = Object.entries(stats).map(
      ([object, c]) =>
        `${object}:fetched=${c.fetched},created=${c.created},updated=${c.updated},unchanged=${c.unchanged},deleted=${c.deleted},failed=${c.failed}`,
    );
    await recordAudit(tx, tenantId, SYSTEM(integration.id), {
      action: `sync.${run.mode}`,
      objectType: 'integration',
      objectId: integration.id,
      fields,
    });
  });
}
