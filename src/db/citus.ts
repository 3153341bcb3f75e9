import { sql } from 'kysely';
import type { Database } from './connection.ts';

/**
 * How the schema maps onto Citus when sharding by workspace (docs/scaling.md), read from the
 * catalog rather than listed by hand:
 * - distributed: every table whose primary key leads with tenant_id, distributed by tenant_id and
 *   co-located, so a workspace's rows and joins stay on one node;
 * - coordinator: busy global tables (sessions, the job queue, throttles) that stay on the
 *   coordinator as Citus local tables;
 * - reference: everything else (`tenants`, `users`, ...), copied to every node.
 */
export const COORDINATOR_TABLES = new Set(['sessions', 'jobs', 'job_schedules', 'auth_throttle', 'public_rate_limits', 'schema_migrations']);

export type Placement = 'distributed' | 'coordinator' | 'reference';

export interface CitusLayout {
  tables: Array<{ table: string; placement: Placement }>;
  foreignKeys: Array<{ name: string; child: string; parent: string; pairs: Array<{ child: string; parent: string }> }>;
  /** Foreign keys Citus would refuse under this layout (empty when the schema is ready). */
  problems: string[];
}

export async function citusLayout(db: Database): Promise<CitusLayout> {
  const { rows: tables } = await sql<{ table: string; leading: string | null }>`
    select c.relname as table,
           (select a.attname::text from pg_index i join pg_attribute a on a.attrelid = c.oid and a.attnum = i.indkey[0]
            where i.indrelid = c.oid and i.indisprimary) as leading
    from pg_class c join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
    where c.relkind = 'r' order by c.relname`.execute(db.kysely);
  const { rows: keys } = await sql<{ name: string; child: string; parent: string; pairs: unknown }>`
    select k.conname as name, c.relname as child, p.relname as parent,
           (select json_agg(json_build_object('child', ca.attname, 'parent', pa.attname) order by u.n)
            from unnest(k.conkey, k.confkey) with ordinality as u(child_col, parent_col, n)
            join pg_attribute ca on ca.attrelid = k.conrelid and ca.attnum = u.child_col
            join pg_attribute pa on pa.attrelid = k.confrelid and pa.attnum = u.parent_col) as pairs
    from pg_constraint k
    join pg_class c on c.oid = k.conrelid
    join pg_class p on p.oid = k.confrelid
    join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
    where k.contype = 'f' order by k.conname`.execute(db.kysely);
  const placement = (table: string): Placement =>
    COORDINATOR_TABLES.has(table) ? 'coordinator' : tables.find((t) => t.table === table)?.leading === 'tenant_id' ? 'distributed' : 'reference';
  const foreignKeys = keys.map((key) => ({ ...key, pairs: (typeof key.pairs === 'string' ? JSON.parse(key.pairs) : key.pairs) as Array<{ child: string; parent: string }> }));
  const layout = { tables: tables.map((t) => ({ table: t.table, placement: placement(t.table) })), foreignKeys };
  return { ...layout, problems: foreignKeyProblems(layout) };
}

/** Foreign keys Citus would refuse: between workspace tables without tenant_id, or into a table another kind cannot reach. */
export function foreignKeyProblems(layout: Pick<CitusLayout, 'tables' | 'foreignKeys'>): string[] {
  const placement = (table: string) => layout.tables.find((t) => t.table === table)?.placement ?? 'reference';
  const problems: string[] = [];
  for (const key of layout.foreignKeys) {
    const [child, parent] = [placement(key.child), placement(key.parent)];
    if (child === 'distributed' && parent === 'distributed') {
      if (!key.pairs.some((pair) => pair.child === 'tenant_id' && pair.parent === 'tenant_id')) problems.push(`${key.name}: ${key.child} → ${key.parent} does not carry tenant_id on both sides`);
    } else if (parent === 'distributed') {
      problems.push(`${key.name}: the ${child} table ${key.child} references the workspace table ${key.parent}`);
    } else if (parent === 'coordinator' && child !== 'coordinator') {
      problems.push(`${key.name}: the ${child} table ${key.child} references the coordinator table ${key.parent}`);
    }
  }
  return problems;
}

/** The statements that turn a migrated database on a Citus coordinator into the sharded layout. */
export function citusStatements(layout: CitusLayout): string[] {
  const literal = (table: string) => `'${table}'`;
  // Within each kind, a referenced table is converted before the tables that reference it.
  const ordered: string[] = [];
  const remaining = new Set(layout.tables.map((t) => t.table));
  while (remaining.size > 0) {
    const ready = [...remaining].filter((table) => !layout.foreignKeys.some((key) => key.child === table && key.parent !== table && remaining.has(key.parent)));
    if (ready.length === 0) throw new Error(`circular foreign keys among ${[...remaining].join(', ')}`);
    for (const table of ready) {
      ordered.push(table);
      remaining.delete(table);
    }
  }
  const placementOf = new Map(layout.tables.map((t) => [t.table, t.placement]));
  const byPlacement = (placement: Placement) => ordered.filter((table) => placementOf.get(table) === placement);
  // Reference tables first: distributed tables have foreign keys into them.
  return [
    ...byPlacement('reference').map((table) => `SELECT create_reference_table(${literal(table)});`),
    ...byPlacement('coordinator').map((table) => `SELECT citus_add_local_table_to_metadata(${literal(table)});`),
    ...byPlacement('distributed').map((table, i) =>
      i === 0 ? `SELECT create_distributed_table(${literal(table)}, 'tenant_id');` : `SELECT create_distributed_table(${literal(table)}, 'tenant_id', colocate_with => ${literal(byPlacement('distributed')[0]!)});`,
    ),
  ];
}
