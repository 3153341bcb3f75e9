import { sql, type RawBuilder } from 'kysely';

/** A column of a bulk statement: one value per row. */
export interface PerRowColumn<Row> {
  name: string;
  type: string;
  of: (row: Row) => unknown;
}

/** A column of a bulk insert: one value per row, or one value for every row. */
export type BulkColumn<Row> = PerRowColumn<Row> | { name: string; type: string; constant: unknown };

const TYPE = /^[a-z_][a-z0-9_ ]*(\[\])?$/;
const isArrayType = (type: string) => type.endsWith('[]');

/** A PostgreSQL array literal of strings ('{"a","b"}'), for an array-typed column sent as one text. */
export function arrayLiteral(values: readonly string[]): string {
  return `{${values.map((value) => `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`;
}

function checkTypes(columns: Array<{ type: string }>): void {
  for (const column of columns) if (!TYPE.test(column.type)) throw new Error(`unexpected column type ${column.type}`);
}

/**
 * `unnest($1::t1[], $2::t2[], …) as u(c0, c1, …)` over the rows, and how to read column i back
 * (cast to its type). Array-typed columns travel as their text literal, because unnest cannot
 * take ragged arrays.
 */
function unnested<Row>(columns: PerRowColumn<Row>[], rows: readonly Row[]) {
  const arrays = columns.map((column) => {
    const values = rows.map((row) => {
      const value = column.of(row);
      return isArrayType(column.type) && Array.isArray(value) ? arrayLiteral(value as string[]) : value;
    });
    return sql`${values}::${sql.raw(isArrayType(column.type) ? 'text[]' : `${column.type}[]`)}`;
  });
  const source = sql`unnest(${sql.join(arrays)}) as u(${sql.join(columns.map((_, i) => sql.ref(`c${i}`)))})`;
  const value = (i: number) => {
    const ref = sql.ref(`u.c${i}`);
    return isArrayType(columns[i]!.type) ? sql`${ref}::${sql.raw(columns[i]!.type)}` : ref;
  };
  return { source, value };
}

/**
 * INSERT … SELECT FROM unnest($1::t1[], $2::t2[], …): a batch as one array parameter per column
 * instead of a parameter per value. PostgreSQL parses and plans one small statement instead of a
 * VALUES list of thousands of parameters, and the client encodes a few arrays.
 */
export function unnestInsert<Row>(table: string, columns: BulkColumn<Row>[], rows: readonly Row[]): RawBuilder<unknown> {
  checkTypes(columns);
  const perRow = columns.filter((column): column is PerRowColumn<Row> => 'of' in column);
  const { source, value } = unnested(perRow, rows);
  const selected = columns.map((column) =>
    'constant' in column ? sql`${column.constant}::${sql.raw(column.type)}` : value(perRow.indexOf(column)),
  );
  return sql`insert into ${sql.table(table)} (${sql.join(columns.map((column) => sql.ref(column.name)))})
    select ${sql.join(selected)} from ${source}`;
}

/**
 * UPDATE … FROM unnest(…): many rows, each with values of its own, as one statement (see
 * unnestInsert). Rows are those matching `where` (equalities, the tenant first) whose `key`
 * column equals the row's key; `also` sets one expression on every row (updated_at = now()).
 * A column listed in `unlessUndefined` keeps its current value in rows that give undefined.
 */
export function unnestUpdate<Row>(
  table: string,
  spec: {
    where: Record<string, unknown>;
    key: PerRowColumn<Row>;
    columns: PerRowColumn<Row>[];
    unlessUndefined?: PerRowColumn<Row>[];
    also?: Record<string, RawBuilder<unknown>>;
  },
  rows: readonly Row[],
): RawBuilder<unknown> {
  const optional = spec.unlessUndefined ?? [];
  const given = optional.map((column) => ({
    name: `${column.name}_given`,
    type: 'boolean',
    of: (row: Row) => column.of(row) !== undefined,
  }));
  const all = [spec.key, ...spec.columns, ...optional, ...given];
  checkTypes(all);
  const { source, value } = unnested(all, rows);
  const at = (column: PerRowColumn<Row>) => value(all.indexOf(column));
  const assignments = [
    ...spec.columns.map((column) => sql`${sql.ref(column.name)} = ${at(column)}`),
    ...optional.map(
      (column, i) => sql`${sql.ref(column.name)} = case when ${at(given[i]!)} then ${at(column)} else ${sql.ref(`t.${column.name}`)} end`,
    ),
    ...Object.entries(spec.also ?? {}).map(([name, expression]) => sql`${sql.ref(name)} = ${expression}`),
  ];
  const conditions = [
    ...Object.entries(spec.where).map(([name, equals]) => sql`${sql.ref(`t.${name}`)} = ${equals}`),
    sql`${sql.ref(`t.${spec.key.name}`)} = ${at(spec.key)}`,
  ];
  return sql`update ${sql.table(table)} as t set ${sql.join(assignments)} from ${source} where ${sql.join(conditions, sql` and `)}`;
}
