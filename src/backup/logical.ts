import { sql, type Kysely, type RawBuilder } from 'kysely';
import { parentsFirst, readCatalog } from '../db/catalog.ts';
import type { Database } from '../db/connection.ts';

/**
 * A logical copy of the database: every table's rows as PostgreSQL's own JSON (row_to_json), in
 * foreign-key order, read per workspace where row-level security is forced. The restore feeds the
 * same JSON back through json_populate_recordset, so every type (bytea, arrays, enums, jsonb)
 * round-trips exactly on PGlite and PostgreSQL alike.
 */
export interface LogicalDump {
  schemaVersion: number;
  takenAt: string;
  tables: Array<{ table: string; perTenant: boolean; rows: Array<{ tenantId: string | null; json: string }> }>;
}

/**
 * Short-lived state that a restore must not bring back (sessions, throttles, the job queue), and
 * person_terms, which the restored contacts and leads rebuild through their triggers.
 */
const EPHEMERAL = new Set([
  'schema_migrations',
  'sessions',
  'auth_throttle',
  'public_rate_limits',
  'jobs',
  'job_schedules',
  'person_terms',
]);

export interface TableInfo {
  table: string;
  perTenant: boolean;
  /** Primary key columns, in key order (empty when the table has none). */
  primaryKey: string[];
}

/** Public tables in an order where every table comes after the tables it references. */
export async function tablesInOrder(db: Database): Promise<TableInfo[]> {
  const catalog = await readCatalog(db);
  const byName = new Map(catalog.tables.filter((t) => !EPHEMERAL.has(t.table)).map((t) => [t.table, t]));
  return parentsFirst([...byName.keys()], catalog.foreignKeys).map((table) => {
    const info = byName.get(table)!;
    return { table, perTenant: info.forcesRowSecurity && info.hasTenantId, primaryKey: info.primaryKey };
  });
}

export async function schemaVersion(db: Database): Promise<number> {
  const { rows } = await sql<{ version: number }>`select coalesce(max(version), 0)::int as version from schema_migrations`.execute(
    db.kysely,
  );
  return rows[0]!.version;
}

/**
 * Rows of one table, one workspace's where the table is per workspace. Filtered by WHERE as
 * well as by row-level security: the role a backup runs as may own the tables or bypass it.
 */
export async function selectTable<T>(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's type for a database of any schema: a backup reads every table
  tx: Kysely<any>,
  info: TableInfo,
  tenantId: string | null,
  columns: RawBuilder<unknown>,
): Promise<T[]> {
  await sql`select set_config('app.tenant_id', ${tenantId ?? ''}, true)`.execute(tx);
  const where = tenantId ? sql`where t.tenant_id = ${tenantId}` : sql``;
  return (await sql<T>`select ${columns} from ${sql.table(info.table)} t ${where}`.execute(tx)).rows;
}

/** The rows of one table as PostgreSQL JSON, workspace by workspace where row-level security is forced. */
export async function tableRows(
  db: Database,
  info: TableInfo,
  tenants: string[],
): Promise<Array<{ tenantId: string | null; json: string }>> {
  const rows: Array<{ tenantId: string | null; json: string }> = [];
  for (const tenantId of info.perTenant ? tenants : [null]) {
    await db.kysely.transaction().execute(async (tx) => {
      for (const row of await selectTable<{ json: string }>(tx, info, tenantId, sql`row_to_json(t)::text as json`))
        rows.push({ tenantId, json: row.json });
    });
  }
  return rows;
}

export async function dumpDatabase(db: Database): Promise<LogicalDump> {
  const tenants = (await sql<{ id: string }>`select id from tenants order by id`.execute(db.kysely)).rows.map((row) => row.id);
  const tables: LogicalDump['tables'] = [];
  for (const info of await tablesInOrder(db)) tables.push({ ...info, rows: await tableRows(db, info, tenants) });
  return { schemaVersion: await schemaVersion(db), takenAt: new Date().toISOString(), tables };
}

/** Loads a dump into a freshly migrated database of the same schema version. */
export async function restoreDatabase(db: Database, dump: LogicalDump): Promise<number> {
  const version = await schemaVersion(db);
  if (version !== dump.schemaVersion) throw new Error(`the dump is of schema version ${dump.schemaVersion}, the database of ${version}`);
  let restored = 0;
  for (const { table, rows } of dump.tables) {
    const byTenant = new Map<string | null, string[]>();
    for (const row of rows) byTenant.set(row.tenantId, [...(byTenant.get(row.tenantId) ?? []), row.json]);
    for (const [tenantId, jsons] of byTenant) {
      await insertRows(db, table, tenantId, jsons);
      restored += jsons.length;
    }
  }
  await resetIdentities(db);
  return restored;
}

/** After rows were inserted with their ids, identity sequences continue after the highest. */
export async function resetIdentities(db: Database): Promise<void> {
  const identities = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns where table_schema = 'public' and is_identity = 'YES'`.execute(
    db.kysely,
  );
  for (const { table_name, column_name } of identities.rows) {
    await sql`select setval(pg_get_serial_sequence(${table_name}, ${column_name}), greatest((select max(${sql.ref(column_name)}) from ${sql.table(table_name)}), 1))`.execute(
      db.kysely,
    );
  }
}

/** Inserts rows (PostgreSQL JSON of the table's row type) of one table and workspace, 500 a statement. */
export async function insertRows(db: Database, table: string, tenantId: string | null, jsons: string[]): Promise<void> {
  await db.kysely.transaction().execute(async (tx) => {
    // app.restoring keeps the triggers that write a history (migration 0049) from writing it again.
    await sql`select set_config('app.tenant_id', ${tenantId ?? ''}, true), set_config('app.restoring', 'on', true)`.execute(tx);
    for (let i = 0; i < jsons.length; i += 500) {
      const batch = `[${jsons.slice(i, i + 500).join(',')}]`;
      await sql`insert into ${sql.table(table)} overriding system value select * from json_populate_recordset(null::${sql.table(table)}, ${batch}::json)`.execute(
        tx,
      );
    }
  });
}
