import { parentsFirst, readCatalog, type CatalogForeignKey, type CatalogTable } from './catalog.ts';
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
export const COORDINATOR_TABLES = new Set([
  'sessions',
  'jobs',
  'job_schedules',
  'auth_throttle',
  'public_rate_limits',
  'schema_migrations',
]);

export type Placement = 'distributed' | 'coordinator' | 'reference';

export interface CitusLayout {
  tables: Array<{ table: string; placement: Placement }>;
  foreignKeys: CatalogForeignKey[];
  /** Foreign keys Citus would refuse under this layout (empty when the schema is ready). */
  problems: string[];
}

export async function citusLayout(db: Database): Promise<CitusLayout> {
  const { tables, foreignKeys } = await readCatalog(db);
  const placement = (table: CatalogTable): Placement =>
    COORDINATOR_TABLES.has(table.table) ? 'coordinator' : table.primaryKey[0] === 'tenant_id' ? 'distributed' : 'reference';
  const layout = { tables: tables.map((t) => ({ table: t.table, placement: placement(t) })), foreignKeys };
  return { ...layout, problems: foreignKeyProblems(layout) };
}

/** Foreign keys Citus would refuse: between workspace tables without tenant_id, or into a table another kind cannot reach. */
export function foreignKeyProblems(layout: Pick<CitusLayout, 'tables' | 'foreignKeys'>): string[] {
  const placement = (table: string) => layout.tables.find((t) => t.table === table)?.placement ?? 'reference';
  const problems: string[] = [];
  for (const key of layout.foreignKeys) {
    const [child, parent] = [placement(key.child), placement(key.parent)];
    if (child === 'distributed' && parent === 'distributed') {
      if (!key.pairs.some((pair) => pair.child === 'tenant_id' && pair.parent === 'tenant_id'))
        problems.push(`${key.name}: ${key.child} → ${key.parent} does not carry tenant_id on both sides`);
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
  const ordered = parentsFirst(
    layout.tables.map((t) => t.table),
    layout.foreignKeys,
  );
  const placementOf = new Map(layout.tables.map((t) => [t.table, t.placement]));
  const byPlacement = (placement: Placement) => ordered.filter((table) => placementOf.get(table) === placement);
  const distributed = byPlacement('distributed');
  // Reference tables first: distributed tables have foreign keys into them.
  return [
    ...byPlacement('reference').map((table) => `SELECT create_reference_table(${literal(table)});`),
    ...byPlacement('coordinator').map((table) => `SELECT citus_add_local_table_to_metadata(${literal(table)});`),
    ...distributed.map((table, i) =>
      i === 0
        ? `SELECT create_distributed_table(${literal(table)}, 'tenant_id');`
        : `SELECT create_distributed_table(${literal(table)}, 'tenant_id', colocate_with => ${literal(distributed[0]!)});`,
    ),
  ];
}
