import { sql } from 'kysely';
import type { Database } from './connection.ts';

/**
 * The schema as PostgreSQL's catalog describes it: the public tables with their primary keys
 * and row-level security, and the foreign keys with their column pairs. Backups order their
 * tables by it and the Citus layout is derived from it, so neither keeps a list by hand.
 */
export interface CatalogTable {
  table: string;
  forcesRowSecurity: boolean;
  hasTenantId: boolean;
  /** Primary key columns in key order (empty when there is none). */
  primaryKey: string[];
}

export interface CatalogForeignKey {
  name: string;
  child: string;
  parent: string;
  pairs: Array<{ child: string; parent: string }>;
}

/** Both drivers return json as parsed values, but a json text is accepted too. */
const parsed = <T>(value: unknown, fallback: T): T =>
  value === null || value === undefined ? fallback : ((typeof value === 'string' ? JSON.parse(value) : value) as T);

export async function readCatalog(db: Database): Promise<{ tables: CatalogTable[]; foreignKeys: CatalogForeignKey[] }> {
  const tables = await sql<{ table: string; forced: boolean; has_tenant: boolean; primary_key: unknown }>`
    select c.relname as table, c.relforcerowsecurity as forced,
           exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped) as has_tenant,
           (select json_agg(a.attname::text order by k.position) from pg_index i
              cross join lateral unnest(i.indkey) with ordinality as k(attnum, position)
              join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum
            where i.indrelid = c.oid and i.indisprimary) as primary_key
    from pg_class c join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
    where c.relkind = 'r' order by c.relname`.execute(db.kysely);
  const keys = await sql<{ name: string; child: string; parent: string; pairs: unknown }>`
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
  return {
    tables: tables.rows.map((row) => ({
      table: row.table,
      forcesRowSecurity: row.forced,
      hasTenantId: row.has_tenant,
      primaryKey: parsed<string[]>(row.primary_key, []),
    })),
    foreignKeys: keys.rows.map((key) => ({ name: key.name, child: key.child, parent: key.parent, pairs: parsed(key.pairs, []) })),
  };
}

/** The tables in an order where each comes after the tables it references (names sorted within a round, so the order is stable). */
export function parentsFirst(tables: string[], foreignKeys: Array<{ child: string; parent: string }>): string[] {
  const ordered: string[] = [];
  const remaining = new Set(tables);
  while (remaining.size > 0) {
    const ready = [...remaining].filter(
      (table) => !foreignKeys.some((key) => key.child === table && key.parent !== table && remaining.has(key.parent)),
    );
    if (ready.length === 0) throw new Error(`circular foreign keys among ${[...remaining].join(', ')}`);
    for (const table of ready.sort()) {
      ordered.push(table);
      remaining.delete(table);
    }
  }
  return ordered;
}
